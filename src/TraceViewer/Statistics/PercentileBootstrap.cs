using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    /// per draw, whatever the number of categories. The draws are exactly those of <c>kindOf.Length</c> calls of
    /// <see cref="SplitMix64.NextInt"/>; up to four kinds are counted in one 64-bit word (16 bits a kind), so the
    /// count of one kind does not wait on the previous increment of the same counter in memory.
    /// </summary>
    public static void CountDraws(ref SplitMix64 random, int[] kindOf, int[] drawn)
    {
        Array.Clear(drawn);
        var n = kindOf.Length;
        if (n == 0)
        {
            return;
        }

        if (drawn.Length <= 4 && n <= ushort.MaxValue)
        {
            random.CountFewKinds(kindOf, drawn);
        }
        else
        {
            var counts = new KindCounts(kindOf, drawn);
            random.Draw(n, n, ref counts);
        }
    }

    /// <summary>
    /// How many draws fell on units of each kind, given how many times each unit was drawn: the counts
    /// <see cref="CountDraws"/> gives for the same draws.
    /// </summary>
    public static void CountByKind(int[] times, int[] kindOf, int[] drawn)
    {
        Array.Clear(drawn);
        var n = kindOf.Length;
        var i = 0;
        if (drawn.Length <= 4 && Vector256.IsHardwareAccelerated)
        {
            // Kinds 0 to 2 summed lane by lane; the last kind's count is the rest of the draws.
            Vector256<int> first = default, second = default, third = default;
            Vector256<int> drawnTotal = default;
            var one = Vector256.Create(1);
            var two = Vector256.Create(2);
            ref var timesStart = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(times);
            ref var kindsStart = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(kindOf);
            for (; i + Vector256<int>.Count <= n; i += Vector256<int>.Count)
            {
                var t = Vector256.LoadUnsafe(ref timesStart, (nuint)i);
                var k = Vector256.LoadUnsafe(ref kindsStart, (nuint)i);
                first += t & Vector256.Equals(k, Vector256<int>.Zero);
                second += t & Vector256.Equals(k, one);
                third += t & Vector256.Equals(k, two);
                drawnTotal += t;
            }

            Span<int> sums = [Vector256.Sum(first), Vector256.Sum(second), Vector256.Sum(third), 0];
            sums[3] = Vector256.Sum(drawnTotal) - sums[0] - sums[1] - sums[2];
            for (var kind = 0; kind < drawn.Length; kind++)
            {
                drawn[kind] = sums[kind];
            }
        }

        for (; i < n; i++)
        {
            drawn[kindOf[i]] += times[i];
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

    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    public ulong Next() => Mix(state += Gamma);

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

    /// <summary>
    /// <paramref name="count"/> uniform integers in [0, n), handed to <paramref name="sink"/> in order: exactly the
    /// values and the generator state that as many calls of <see cref="NextInt"/> would give, with the state kept
    /// in registers and, while no draw is rejected, both halves of each 64-bit output used at once.
    /// </summary>
    public void Draw<TSink>(int n, int count, ref TSink sink)
        where TSink : struct, IDrawSink
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var bound = (uint)n;
        var threshold = (0u - bound) % bound;
        var s = state;
        var h = half;
        var has = hasHalf;
        var j = 0;
        while (j < count)
        {
            if (!has && j + 1 < count)
            {
                var z = Mix(s + Gamma);
                var first = (ulong)(uint)z * bound;
                var second = (z >> 32) * bound;
                if ((uint)first >= threshold && (uint)second >= threshold)
                {
                    s += Gamma;
                    sink.Add((int)(first >> 32));
                    sink.Add((int)(second >> 32));
                    j += 2;
                    continue;
                }
            }

            // One draw as NextInt makes it, rejections included.
            var product = (ulong)Half(ref s, ref h, ref has) * bound;
            while ((uint)product < threshold)
            {
                product = (ulong)Half(ref s, ref h, ref has) * bound;
            }

            sink.Add((int)(product >> 32));
            j++;
        }

        state = s;
        half = h;
        hasHalf = has;
    }

    /// <summary>
    /// <c>kindOf.Length</c> draws as <see cref="Draw{TSink}"/> makes them, counted by the kind of the drawn unit
    /// (at most four kinds, at most 65,535 units). With AVX2, four 64-bit outputs (eight draws) are made and
    /// looked up at once; a block in which any draw would be rejected is drawn one by one instead, so the values and
    /// the state that follows are the same either way.
    /// </summary>
    public unsafe void CountFewKinds(int[] kindOf, int[] counts)
    {
        var n = kindOf.Length;
        var packed = new PackedCounts(kindOf);
        var j = 0;
        var vectorDraws = 0;
        Vector256<int> first = default, second = default, third = default;
        if (Avx2.IsSupported && Vector256.IsHardwareAccelerated)
        {
            var bound = (uint)n;
            var gammas = Vector256.Create(Gamma, unchecked(2 * Gamma), unchecked(3 * Gamma), unchecked(4 * Gamma));
            var low = Vector256.Create(0xFFFF_FFFFUL);
            var bounds = Vector256.Create((ulong)bound).AsUInt32();
            var thresholds = Vector256.Create((ulong)((0u - bound) % bound));
            var one = Vector256.Create(1);
            var two = Vector256.Create(2);
            fixed (int* kinds = kindOf)
            {
                while (j + 8 <= n)
                {
                    if (hasHalf)
                    {
                        Draw(n, 1, ref packed);
                        j++;
                        continue;
                    }

                    var z = Vector256.Create(state) + gammas;
                    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                    z ^= z >> 31;
                    var lows = Avx2.Multiply((z & low).AsUInt32(), bounds);
                    var highs = Avx2.Multiply((z >> 32).AsUInt32(), bounds);
                    if ((Vector256.LessThan(lows & low, thresholds) | Vector256.LessThan(highs & low, thresholds)) != Vector256<ulong>.Zero)
                    {
                        Draw(n, 2, ref packed);
                        j += 2;
                        continue;
                    }

                    state += unchecked(4 * Gamma);
                    // The eight indices side by side: each low half's in the even 32-bit lanes, each high half's in the odd ones.
                    var indices = ((lows >> 32) | (highs & ~low)).AsInt32();
                    var drawnKinds = Avx2.GatherVector256(kinds, indices, 4);
                    first -= Vector256.Equals(drawnKinds, Vector256<int>.Zero);
                    second -= Vector256.Equals(drawnKinds, one);
                    third -= Vector256.Equals(drawnKinds, two);
                    j += 8;
                    vectorDraws += 8;
                }
            }
        }

        Draw(n, n - j, ref packed);
        Span<int> fromVectors = [Vector256.Sum(first), Vector256.Sum(second), Vector256.Sum(third), 0];
        fromVectors[3] = vectorDraws - fromVectors[0] - fromVectors[1] - fromVectors[2];
        for (var kind = 0; kind < counts.Length; kind++)
        {
            counts[kind] = (int)((packed.Counts >> (kind * 16)) & 0xFFFF) + fromVectors[kind];
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static uint Half(ref ulong s, ref ulong h, ref bool has)
    {
        if (has)
        {
            has = false;
            return (uint)(h >> 32);
        }

        h = Mix(s += Gamma);
        has = true;
        return (uint)h;
    }

    private uint NextHalf() => Half(ref state, ref half, ref hasHalf);
}

/// <summary>Takes the integers <see cref="SplitMix64.Draw{TSink}"/> draws.</summary>
internal interface IDrawSink
{
    void Add(int index);
}

/// <summary>Counts drawn units by kind, up to four kinds of at most 65,535 draws, 16 bits a kind in one word.</summary>
internal struct PackedCounts(int[] kindOf) : IDrawSink
{
    private readonly int[] kindOf = kindOf;

    public ulong Counts;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Add(int index) =>
        Counts += 1UL << (System.Runtime.CompilerServices.Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(kindOf), index) << 4);
}

/// <summary>Counts drawn units by kind in an array.</summary>
internal readonly struct KindCounts(int[] kindOf, int[] drawn) : IDrawSink
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Add(int index) => drawn[kindOf[index]]++;
}
