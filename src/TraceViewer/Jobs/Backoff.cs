namespace TraceViewer.Jobs;

/// <summary>Retry delays: exponential with full jitter, never shorter than a server's Retry-After.</summary>
internal static class Backoff
{
    /// <param name="attempt">The attempt that just failed, from 1.</param>
    /// <param name="jitter">A number in [0, 1).</param>
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan? retryAfter, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var exponent = Math.Min(attempt - 1, 30);
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        // Half fixed, half random keeps retries spread out without ever retrying at once.
        var delay = TimeSpan.FromMilliseconds(ceiling / 2 + ceiling / 2 * jitter);
        return retryAfter is { } after && after > delay ? after : delay;
    }
}
