namespace TraceViewer.Statistics.TagEffects;

/// <summary>Which kinds of sentences matter (method.md §9): per tag, the tagged sentences against the untagged ones.</summary>
internal sealed record TagEffectReport(int Traces, int Sentences, int TopK, BootstrapOptions Bootstrap, IReadOnlyList<TagEffect> Tags);

/// <summary>
/// One tag: its sentences, the annotated sentences without it, and the differences tagged minus untagged (both
/// from the same resampled traces).
/// </summary>
internal sealed record TagEffect(
    string Tag,
    TagEffectGroup Tagged,
    TagEffectGroup Untagged,
    Estimate SignedDifference,
    Estimate AbsoluteDifference);

/// <summary>
/// A group of sentences (those with a tag, or those without it). Means are over the group's sentences; the shares
/// are means over traces of the fraction of each trace's top-k sentences by absolute effect
/// (<see cref="TopKShare"/>) and of all its annotated sentences (<see cref="Share"/>) that are in the group, so
/// <see cref="TopKShare"/> above <see cref="Share"/> means the group is over-represented among the strongest sentences.
/// </summary>
internal sealed record TagEffectGroup(
    int Sentences,
    int Traces,
    Estimate MeanSignedEffect,
    Estimate MeanAbsoluteEffect,
    Estimate TopKShare,
    Estimate Share);

/// <summary>A value (null when undefined, e.g. a mean over no sentences) with its percentile bootstrap interval over traces.</summary>
internal sealed record Estimate(double? Value, BootstrapInterval Interval);
