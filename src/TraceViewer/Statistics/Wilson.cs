namespace TraceViewer.Statistics;

/// <summary>A proportion with its 95% interval.</summary>
internal readonly record struct Interval(double Low, double High)
{
    public bool Contains(double value) => Low <= value && value <= High;
}

/// <summary>Wilson score interval for a binomial proportion (method.md §7).</summary>
internal static class Wilson
{
    /// <summary>The two-sided 95% normal quantile used throughout.</summary>
    public const double Z95 = 1.959963984540054;

    public static Interval Interval(int successes, int n, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, n);
        if (n == 0)
        {
            return new Interval(0, 1);
        }

        var p = (double)successes / n;
        var z2 = z * z;
        var denominator = 1 + z2 / n;
        var center = (p + z2 / (2.0 * n)) / denominator;
        var half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
        return new Interval(successes == 0 ? 0 : Math.Max(0, center - half), successes == n ? 1 : Math.Min(1, center + half));
    }
}
