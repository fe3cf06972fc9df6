namespace TraceViewer.Statistics;

/// <summary>k successes out of n, with the rate and its Wilson 95% interval.</summary>
internal readonly record struct Proportion(int Successes, int Count)
{
    /// <summary>k / n, or 0 for an empty sample (the reference's convention).</summary>
    public double Rate => Count == 0 ? 0.0 : (double)Successes / Count;

    public Interval Wilson => Statistics.Wilson.Interval(Successes, Count);
}
