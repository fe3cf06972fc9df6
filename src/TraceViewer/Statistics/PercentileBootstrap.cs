namespace TraceViewer.Statistics;

/// <summary>
/// A percentile bootstrap interval: the (1 - confidence)/2 and (1 + confidence)/2 quantiles of the replicates
/// in which the statistic was defined (linear interpolation between order statistics, numpy's default).
/// Replicates in which the statistic was undefined (a zero denominator) are counted, not turned into numbers;
/// <see cref="Range"/> is null when no replicate was defined.
/// </summary>
/// <param name="Units">What was resampled with replacement, e.g. "items" or "traces".</param>
internal sealed record BootstrapInterval(Interval? Range, int Replicates, int UndefinedReplicates, double Confidence, string Units)
{
    public string Method => $"percentile bootstrap over {Units}";
}

/// <summary>Settings shared by every bootstrap: how many replicates, the seed, the confidence level.</summary>
internal sealed record BootstrapOptions(int Replicates = BootstrapOptions.DefaultReplicates, ulong Seed = 0, double Confidence = 0.95)
{
    /// <summary>method.md asks for at least 1,000 resamples.</summary>
    public const int MinimumReplicates = 1000;

    public const int DefaultReplicates = 2000;

    public void Validate()
    {
        if (Replicates < MinimumReplicates)
        {
            throw new ArgumentOutOfRangeException(nameof(Replicates), Replicates, $"A bootstrap needs at least {MinimumReplicates} replicates.");
        }

        if (!(Confidence > 0 && Confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Confidence), Confidence, "The confidence level must lie strictly between 0 and 1.");
        }
    }
}

internal static class PercentileBootstrap
{
    /// <summary>
    /// The interval from replicate values, where NaN marks a replicate whose statistic was undefined.
    /// Sorts <paramref name="replicates"/> in place.
    /// </summary>
    public static BootstrapInterval Interval(double[] replicates, double confidence, string units)
    {
        Array.Sort(replicates); // NaN sorts first
        var undefined = 0;
        while (undefined < replicates.Length && double.IsNaN(replicates[undefined]))
        {
            undefined++;
        }

        var defined = replicates.AsSpan(undefined);
        if (defined.IsEmpty)
        {
            return new BootstrapInterval(null, replicates.Length, undefined, confidence, units);
        }

        var tail = (1 - confidence) / 2;
        return new BootstrapInterval(
            new Interval(Quantile(defined, tail), Quantile(defined, 1 - tail)), replicates.Length, undefined, confidence, units);
    }

    /// <summary>
    /// One bootstrap sample of <c>kindOf.Length</c> units drawn with replacement, as how many times each kind of
    /// unit was drawn. Statistics that depend on a unit only through its kind (its counts) then cost one increment
    /// per draw, whatever the number of categories.
    /// </summary>
    public static void CountDraws(ref SplitMix64 random, int[] kindOf, int[] drawn)
    {
        Array.Clear(drawn);
        var n = kindOf.Length;
        for (var j = 0; j < n; j++)
        {
            drawn[kindOf[random.NextInt(n)]]++;
        }
    }

    /// <summary>The q-quantile of sorted values, interpolating linearly at position q·(n - 1).</summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        var fraction = position - below;
        return fraction == 0 ? sorted[below] : sorted[below] + fraction * (sorted[above] - sorted[below]);
    }
}

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose stream is fixed by its seed on every runtime,
/// so a stored interval can be recomputed exactly. Each statistic draws from its own stream.
/// </summary>
internal struct SplitMix64(ulong seed, ulong stream = 0)
{
    private ulong state = seed ^ (stream * 0xD1B54A32D192ED03UL);
    private ulong half;
    private bool hasHalf;

    public ulong Next()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// A uniform integer in [0, n): Lemire's multiply-shift on 32 random bits with rejection, so no modulo bias.
    /// Each 64-bit output serves two draws.
    /// </summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var bound = (uint)n;
        var product = (ulong)NextHalf() * bound;
        if ((uint)product < bound)
        {
            var threshold = (0u - bound) % bound;
            while ((uint)product < threshold)
            {
                product = (ulong)NextHalf() * bound;
            }
        }

        return (int)(product >> 32);
    }

    private uint NextHalf()
    {
        if (hasHalf)
        {
            hasHalf = false;
            return (uint)(half >> 32);
        }

        half = Next();
        hasHalf = true;
        return (uint)half;
    }
}
