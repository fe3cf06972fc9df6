using TraceViewer.Providers;

namespace TraceViewer.Jobs;

/// <summary>What a failed attempt becomes: tried again after a backoff while attempts and the error allow, else failed for good.</summary>
internal static class JobFailures
{
    public const int MaxMessageLength = 2000;

    /// <summary>The error as stored and logged: the model call's own message, or the exception's type and message; the API key redacted; cut at <see cref="MaxMessageLength"/>.</summary>
    public static string Message(Exception error, string? apiKey)
    {
        var message = error is ModelCallException ? error.Message : $"{error.GetType().Name}: {error.Message}";
        return Cut(Redaction.Secrets(message, apiKey));
    }

    public static string Cut(string message) => message.Length > MaxMessageLength ? message[..MaxMessageLength] : message;

    /// <summary>
    /// The outcome of an attempt that failed with <paramref name="error"/>: a model call says whether it may be retried
    /// and after how long; anything else may be. <paramref name="jitter"/> is a number in [0, 1).
    /// </summary>
    public static JobItemOutcome After(JobWork work, Exception error, string message, JobsOptions options, DateTimeOffset now, double jitter)
    {
        var (retryable, retryAfter) = error is ModelCallException call ? (call.Retryable, call.RetryAfter) : (true, (TimeSpan?)null);
        return Next(work, message, retryable, retryAfter, options, now, jitter);
    }

    public static JobItemOutcome Next(JobWork work, string message, bool retryable, TimeSpan? retryAfter, JobsOptions options, DateTimeOffset now, double jitter) =>
        retryable && work.Attempt < options.MaxAttempts
            ? new ItemRetry(work, message, now + Backoff.Delay(work.Attempt, options.BaseBackoff, options.MaxBackoff, retryAfter, jitter))
            : new ItemFailed(work, message);

    /// <summary>The pause after the <paramref name="failures"/>th write in a row the database refused.</summary>
    public static TimeSpan StorageDelay(JobsOptions options, int failures) =>
        Backoff.Delay(failures, options.StorageBackoff, options.MaxStorageBackoff, null, Random.Shared.NextDouble());
}
