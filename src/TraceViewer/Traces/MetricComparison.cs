namespace TraceViewer.Traces;

/// <summary>One metric of one sentence, computed and imported side by side.</summary>
public sealed record MetricComparisonRow(string Label, double? Computed, double? Imported, bool Differs);

/// <summary>Compares recomputed values with imported reference values (both in TraceViewer's sign).</summary>
internal static class MetricComparison
{
    /// <summary>Differences at or below this are rounding, not disagreement.</summary>
    public const double Tolerance = 1e-6;

    public static IReadOnlyList<MetricComparisonRow> Compare(OutcomeMetrics computed, OutcomeMetrics imported, int index)
    {
        var c = computed.EffectsAt(index);
        var i = imported.EffectsAt(index);
        return
        [
            Row("Prefix rate", computed.RateAt(index)?.Value, imported.RateAt(index)?.Value),
            Row("Resampling effect", c?.ResamplingEffect?.Value, i?.ResamplingEffect?.Value),
            Row("Counterfactual effect", c?.CounterfactualEffect?.Value, i?.CounterfactualEffect?.Value),
            Row("Resampling KL", c?.ResamplingKl, i?.ResamplingKl),
            Row("Counterfactual KL", c?.CounterfactualKl, i?.CounterfactualKl),
            Row("Dissimilar fraction", c?.DissimilarFraction, i?.DissimilarFraction),
        ];
    }

    /// <summary>A value missing on one side counts as 0, which is what the reference writes for undefined values.</summary>
    public static bool Differs(double? computed, double? imported) =>
        (computed, imported) switch
        {
            (null, null) => false,
            ({ } a, { } b) => Math.Abs(a - b) > Tolerance,
            ({ } a, null) => Math.Abs(a) > Tolerance,
            (null, { } b) => Math.Abs(b) > Tolerance,
        };

    private static MetricComparisonRow Row(string label, double? computed, double? imported) =>
        new(label, computed, imported, Differs(computed, imported));
}
