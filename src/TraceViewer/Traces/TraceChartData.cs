namespace TraceViewer.Traces;

/// <summary>What the trace page's chart module reads from the embedded JSON.</summary>
internal sealed record TraceChartData(
    int TraceId, int SentenceCount, int? Selected, string? SelectedOutcome, string Effect, IReadOnlyList<ChartOutcome> Outcomes)
{
    public static TraceChartData From(TraceDocument trace, OutcomeMetrics? selected, int? selectedSentence, EffectKind effect = EffectKind.Counterfactual) => new(
        trace.Id,
        trace.Sentences.Count,
        selectedSentence,
        selected?.Key,
        effect.QueryValue(),
        [.. trace.Outcomes.Select(o => ChartOutcome.From(o, effect))])
    {
        Caption = selected?.Provenance is { } provenance && selected.PrefixRates.Count > 0 ? CaptionFor(provenance) : null,
    };

    /// <summary>The line under the chart; the page redraws it with the curve when new metrics land.</summary>
    public string? Caption { get; init; }

    public static string CaptionFor(MetricsProvenance p) =>
        "Rate once the prefix includes sentences 0..k, with Wilson 95% band · " + (p.Source == "Imported" ? "imported" + (p.SourceFile is null ? "" : " from " + p.SourceFile)
            : p.OnTheFly ? "computed for this view from resamples (not stored)" : "computed from resamples");
}

/// <summary>
/// One curve. Directions and "needs more samples" flags follow the selected effect and are indexed by sentence
/// index; every outcome carries them, and the page colours the points of the selected outcome's curve.
/// </summary>
internal sealed record ChartOutcome(string Key, string Name, IReadOnlyList<ChartPoint> Points, IReadOnlyList<Direction> Directions, IReadOnlyList<bool> Uncertain)
{
    /// <summary>Sentence indexes at or above this are left off the chart, so a bad index cannot size its arrays.</summary>
    public const int MaxSentenceIndex = 100_000;

    public static ChartOutcome From(OutcomeMetrics outcome, EffectKind effect)
    {
        // Indexed by sentence index; an index a database should not hold (negative, or absurdly large) has no place on the chart.
        var length = outcome.Effects.Where(e => e.Index is >= 0 and < MaxSentenceIndex).Select(e => e.Index + 1).DefaultIfEmpty(0).Max();
        var directions = new Direction[length];
        var uncertain = new bool[length];
        foreach (var effects in outcome.Effects.Where(e => e.Index >= 0 && e.Index < length))
        {
            var shown = effects.Shown(effect);
            directions[effects.Index] = shown.Direction;
            uncertain[effects.Index] = shown.NeedsMoreSamples;
        }

        return new ChartOutcome(
            outcome.Key,
            outcome.Name,
            // rate_i is measured without sentence i, so it is the rate once the prefix ends with sentence i-1.
            [.. outcome.PrefixRates.Where(r => r.Index is >= 0 and < MaxSentenceIndex).Select(r => new ChartPoint(r.Index - 1, r.Value, r.Low, r.High, r.Count))],
            directions,
            uncertain);
    }
}

/// <summary>x is the last sentence included in the prefix (-1: none).</summary>
internal sealed record ChartPoint(int X, double Y, double? Low, double? High, int? N);
