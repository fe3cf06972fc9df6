namespace TraceViewer.Metrics.Engine;

/// <summary>
/// One resample drawn at a position. <paramref name="Answer"/> is the raw multi-valued outcome
/// (a MATH answer) or null for a yes/no outcome; <paramref name="IsPositive"/> is null when the
/// outcome is undetermined. An errored generation has neither.
/// </summary>
internal sealed record ResampleInput(string? FirstSentence, string? Answer, bool? IsPositive, bool IsError = false);

/// <summary>
/// Sentence <paramref name="Index"/> and the resamples drawn with it removed. Null resamples means
/// the position was never resampled, which the reference distinguishes from an empty list.
/// </summary>
internal sealed record PositionInput(int Index, string Sentence, IReadOnlyList<ResampleInput>? Resamples);
