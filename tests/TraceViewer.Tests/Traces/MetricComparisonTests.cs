using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

public sealed class MetricComparisonTests
{
    private static SentenceEffects Effects(double? resampling, double? resamplingLow, double? resamplingHigh, double? counterfactual, double? low, double? high, bool fallback, double? counterfactualKl = null) =>
        new(0,
            resampling is null ? null : new Estimate(resampling.Value, resamplingLow, resamplingHigh, 10, null),
            counterfactual is null ? null : new Estimate(counterfactual.Value, low, high, 10, null),
            0.2, counterfactualKl, 0.5,
            (fallback ? resampling : counterfactual) switch { > 0 => Direction.Promotes, < 0 => Direction.Suppresses, _ => Direction.None },
            Math.Abs((fallback ? resampling : counterfactual) ?? 0), fallback);

    [Theory]
    [InlineData(0.25, 0.25 + 5e-7, false)]
    [InlineData(0.25, 0.25 + 2e-6, true)]
    [InlineData(null, 0.0, false)]
    [InlineData(null, 0.3, true)]
    [InlineData(-0.3, null, true)]
    [InlineData(null, null, false)]
    public void DifferencesAboveTheToleranceAreFlagged(double? computed, double? imported, bool differs) =>
        Assert.Equal(differs, MetricComparison.Differs(computed, imported));

    [Fact]
    public void ComparingOutcomesFlagsOnlyTheDifferingMetrics()
    {
        var computed = new OutcomeMetrics("o", "O", null, null, [new PrefixRate(0, 0.4, null, null, 10, 4)], [Effects(0.1, null, null, 0.3, null, null, false)]);
        var imported = computed with { Effects = [Effects(0.1, null, null, -0.3, null, null, false)] };

        var rows = computed with { Imported = imported };

        Assert.Equal(["Counterfactual effect"], rows.CompareAt(0).Where(r => r.Differs).Select(r => r.Label));
        Assert.True(rows.DiffersAt(0));
        Assert.False((computed with { Imported = computed }).DiffersAt(0));
        Assert.Empty(computed.CompareAt(0));
    }

    [Fact]
    public void TheShownEffectFollowsTheSelectedKind()
    {
        var effects = Effects(0.4, 0.1, 0.7, -0.2, -0.5, 0.1, fallback: false, counterfactualKl: 0.9);

        var counterfactual = effects.Shown(EffectKind.Counterfactual);
        var resampling = effects.Shown(EffectKind.Resampling);
        var kl = effects.Shown(EffectKind.Kl);

        Assert.Equal((Direction.Suppresses, 0.2, true), (counterfactual.Direction, counterfactual.Strength, counterfactual.NeedsMoreSamples));
        Assert.Equal((Direction.Promotes, 0.4, false), (resampling.Direction, resampling.Strength, resampling.NeedsMoreSamples));
        Assert.Equal((Direction.Suppresses, 0.9, true), (kl.Direction, kl.Strength, kl.NeedsMoreSamples));
    }

    [Fact]
    public void WithoutAnIntervalNothingIsGreyed()
    {
        var effects = Effects(0.0, null, null, null, null, null, fallback: true);

        Assert.False(effects.Shown(EffectKind.Counterfactual).NeedsMoreSamples);
        Assert.Equal(EffectKind.Kl, EffectKinds.Parse("KL"));
        Assert.Equal(EffectKind.Counterfactual, EffectKinds.Parse("nonsense"));
    }
}
