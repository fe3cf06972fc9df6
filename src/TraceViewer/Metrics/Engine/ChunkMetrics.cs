using TraceViewer.Statistics;

namespace TraceViewer.Metrics.Engine;

/// <summary>
/// An effect in TraceViewer's sign: <c>With.Rate - Without.Rate</c>, positive when the sentence
/// raises the rate. Undefined effects have value 0 (what the reference reports) and no counts.
/// The interval is Newcombe's hybrid score interval, present when both samples are non-empty.
/// </summary>
internal sealed record Effect(bool Defined, double Value, Proportion? With, Proportion? Without, Interval? Interval)
{
    public static Effect Undefined { get; } = new(false, 0.0, null, null, null);

    public static Effect Between(Proportion with, Proportion without)
    {
        var interval = with.Count > 0 && without.Count > 0 ? Newcombe.DifferenceInterval(with, without) : (Interval?)null;
        return new Effect(true, with.Rate - without.Rate, with, without, interval);
    }
}

internal enum DirectionKind
{
    /// <summary>No effect could be measured, or it is exactly 0.</summary>
    None,
    Promotes,
    Suppresses,
}

/// <summary>The sign used to colour a sentence, and whether it came from the resampling fallback.</summary>
internal sealed record Direction(DirectionKind Kind, Effect Source, bool IsFallback)
{
    public static Direction From(Effect effect, bool isFallback) => new(
        !effect.Defined || effect.Value == 0 ? DirectionKind.None : effect.Value > 0 ? DirectionKind.Promotes : DirectionKind.Suppresses,
        effect,
        isFallback);
}

/// <summary>All metrics of one sentence for one outcome.</summary>
internal sealed record ChunkMetrics(
    int Index,
    Proportion Prefix,
    Effect Resampling,
    double ResamplingKl,
    Effect Counterfactual,
    double CounterfactualKl,
    int DissimilarCount,
    int ComparedCount,
    double DissimilarFraction,
    double Overdeterminedness,
    Direction Direction);

internal sealed record TraceMetrics(MetricsParameters Parameters, IReadOnlyList<ChunkMetrics> Chunks);
