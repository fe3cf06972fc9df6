namespace TraceViewer.Collect;

/// <summary>
/// Which AdvBench rows a run uses (formats.md e: record the subset): the first <see cref="Count"/> rows, or a
/// sample of that size drawn with <see cref="Seed"/>. The same seed gives the same rows on every machine and
/// .NET version (its own generator, not <see cref="Random"/>).
/// </summary>
internal sealed record AdvBenchSelection(int Count, ulong? Seed = null)
{
    public static AdvBenchSelection First(int count) => new(count);

    public static AdvBenchSelection Sample(int count, ulong seed) => new(count, seed);

    public string Describe(int available) =>
        Seed is { } seed ? $"random {Count} of {available} rows, seed {seed}" : $"first {Count} of {available} rows";

    /// <summary>The chosen rows, in row order.</summary>
    public IReadOnlyList<AdvBenchRow> Pick(IReadOnlyList<AdvBenchRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (Count < 1 || Count > rows.Count)
        {
            throw new ArgumentException($"The selection asks for {Count} requests; choose between 1 and {rows.Count}.", nameof(rows));
        }

        if (Seed is not { } seed)
        {
            return rows.Take(Count).ToList();
        }

        // Partial Fisher-Yates: the first Count places end up a uniform sample.
        var order = Enumerable.Range(0, rows.Count).ToArray();
        var state = seed;
        for (var i = 0; i < Count; i++)
        {
            var j = i + (int)(Next(ref state) % (ulong)(rows.Count - i));
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order.Take(Count).Order().Select(i => rows[i]).ToList();
    }

    // SplitMix64 (Steele, Lea, Flood 2014): small, fixed, good enough to pick rows. Modulo bias is below 1e-15 here.
    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
