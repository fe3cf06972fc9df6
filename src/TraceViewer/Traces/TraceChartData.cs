namespace TraceViewer.Traces;

/// <summary>What the trace page's chart module reads from the embedded JSON.</summary>
internal sealed record TraceChartData(int TraceId, int SentenceCount, int? Selected, string? SelectedOutcome, IReadOnlyList<ChartOutcome> Outcomes)
{
    public static TraceChartData From(TraceDocument trace, OutcomeMetrics? selected, int? selectedSentence) => new(
        trace.Id,
        trace.Sentences.Count,
        selectedSentence,
        selected?.Key,
        [.. trace.Outcomes.Select(o => new ChartOutcome(
            o.Key,
            o.Name,
            // rate_i is measured without sentence i, so it is the rate once the prefix ends with sentence i-1.
            [.. o.PrefixRates.Select(r => new ChartPoint(r.Index - 1, r.Value, r.Low, r.High, r.Count))],
            DirectionsByIndex(o)))]);

    private static Direction[] DirectionsByIndex(OutcomeMetrics outcome)
    {
        var directions = new Direction[outcome.Effects.Count == 0 ? 0 : outcome.Effects.Max(e => e.Index) + 1];
        foreach (var effect in outcome.Effects)
        {
            directions[effect.Index] = effect.Direction;
        }

        return directions;
    }
}

/// <summary>Directions are indexed by sentence index.</summary>
internal sealed record ChartOutcome(string Key, string Name, IReadOnlyList<ChartPoint> Points, IReadOnlyList<Direction> Directions);

/// <summary>x is the last sentence included in the prefix (-1: none).</summary>
internal sealed record ChartPoint(int X, double Y, double? Low, double? High, int? N);
