namespace TraceViewer.Metrics.Engine;

/// <summary>Which rules decide the resamples behind each metric.</summary>
internal enum MetricsMode
{
    /// <summary>
    /// The published Thought Anchors analysis, quirks included (shared/conformance/README.md):
    /// per-metric rules for which rollouts count, its answer normalisation applied once or three
    /// times, "next" = the next index with any rollouts, and zeros where it reports zeros.
    /// </summary>
    ReferenceCompatible,

    /// <summary>
    /// method.md §5: every metric uses the determined resamples (no error, outcome known), answers
    /// are normalised once, undefined values are flagged instead of silently zero.
    /// </summary>
    TraceViewer,
}

/// <summary>Which later position the resampling effect and resampling KL compare against (TraceViewer mode).</summary>
internal enum NextPositionRule
{
    /// <summary>Only i + 1; the effect is undefined when it has no determined resamples.</summary>
    Adjacent,

    /// <summary>The smallest j &gt; i with determined resamples.</summary>
    NextWithResamples,
}

/// <summary>Everything that changes a computed number; stored with the results.</summary>
internal sealed record MetricsParameters
{
    /// <summary>Cosine similarity threshold: a resample whose first sentence is strictly below it is dissimilar.</summary>
    public double Threshold { get; init; } = 0.8;

    /// <summary>Additive smoothing of the KL divergences.</summary>
    public double Alpha { get; init; } = 1e-9;

    public MetricsMode Mode { get; init; } = MetricsMode.TraceViewer;

    /// <summary>Ignored in reference mode, which always uses i + 1 for the effect and the next index with rollouts for the KL.</summary>
    public NextPositionRule ResamplingNext { get; init; } = NextPositionRule.Adjacent;

    /// <summary>Whether the counterfactual KL compares against the next prefix's answers together with the similar resamples (reference: true).</summary>
    public bool UseSimilarInNext { get; init; } = true;

    /// <summary>At or below this dissimilar fraction the counterfactual effect is too thin to give a direction.</summary>
    public double MinimumDissimilarFraction { get; init; } = 0.05;

    public static MetricsParameters Reference { get; } = new() { Mode = MetricsMode.ReferenceCompatible };

    public static MetricsParameters TraceViewerDefaults { get; } = new();
}
