using TraceViewer.MetricSets;
using TraceViewer.Traces;

namespace TraceViewer.Tests.MetricSets;

/// <summary>The one rule for which stored set is shown, and which way a sentence points in it.</summary>
public sealed class ShownMetricSetsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static MetricSetChoice Set(
        int id, MetricSource source, double? threshold = 0.8, int hours = 0, string? model = "all-MiniLM-L6-v2", int trace = 1,
        int resamples = 1_000, int positions = 10) =>
        new(id, trace, 7, source, threshold, model, T0.AddHours(hours), resamples, positions);

    [Fact]
    public void AComputedSetOnFewerResamplesLeavesTheImportedValuesShown()
    {
        // The MATH case: 100 alternatives at each of 139 positions imported; a job resampled 2 positions 4 times.
        var imported = Set(1, MetricSource.Imported, resamples: 13_900, positions: 139);
        var computed = Set(2, MetricSource.Computed, hours: 5, resamples: 8, positions: 2);

        var choice = ShownMetricSets.Choose([computed, imported], MetricSetPolicy.Default);

        Assert.Equal(1, choice.Shown?.Id);
        Assert.Equal((2, 1), (choice.Computed?.Id, choice.Imported?.Id));
        Assert.Equal(
            "Imported values shown: the computed set rests on 8 resamples over 2 positions, less than the imported set's 13,900 resamples over 139 positions.",
            choice.Reason());
    }

    [Theory]
    [InlineData(139, 13_899, false)] // every position, one resample fewer
    [InlineData(138, 20_000, false)] // more resamples, one position fewer
    [InlineData(139, 13_900, true)] // the same coverage: the computed set
    [InlineData(139, 14_456, true)] // imported and generated together
    public void TheComputedSetIsShownWhenItCoversAtLeastAsManyPositionsAndResamples(int positions, int resamples, bool computedShown)
    {
        MetricSetChoice[] sets = [Set(1, MetricSource.Imported, resamples: 13_900, positions: 139), Set(2, MetricSource.Computed, resamples: resamples, positions: positions)];

        var choice = ShownMetricSets.Choose(sets, MetricSetPolicy.Default);

        Assert.Equal(computedShown ? 2 : 1, choice.Shown?.Id);
        Assert.StartsWith(computedShown ? "Computed set shown" : "Imported values shown", choice.Reason());
    }

    [Fact]
    public void CoverageComparesTheNewestSetOfEachSource()
    {
        // An older computed set covering everything does not stand in for the newest one, which covers less.
        MetricSetChoice[] sets =
        [
            Set(1, MetricSource.Imported, resamples: 500, positions: 10),
            Set(2, MetricSource.Computed, hours: 1, resamples: 900, positions: 10),
            Set(3, MetricSource.Computed, hours: 2, resamples: 20, positions: 2),
        ];

        Assert.Equal(1, ShownMetricSets.Pick(sets, MetricSetPolicy.Default)?.Id);
        Assert.Equal(1, ShownMetricSets.Pick(sets.Reverse(), MetricSetPolicy.Default)?.Id);
    }

    [Fact]
    public void ASingleSourceIsShownWhateverItsCoverageAndNeedsNoReason()
    {
        var choice = ShownMetricSets.Choose([Set(2, MetricSource.Computed, resamples: 1, positions: 1)], MetricSetPolicy.Default);

        Assert.Equal(2, choice.Shown?.Id);
        Assert.Null(choice.Reason());
    }

    [Fact]
    public void ComputedSetsComeBeforeNewerImportedOnes()
    {
        MetricSetChoice[] sets = [Set(1, MetricSource.Computed, hours: 0), Set(2, MetricSource.Imported, hours: 5)];

        Assert.Equal(1, ShownMetricSets.Pick(sets, MetricSetPolicy.Default)?.Id);
        Assert.Equal(2, ShownMetricSets.Pick(sets, MetricSetPolicy.Default with { PreferredSource = MetricSource.Imported })?.Id);
    }

    [Fact]
    public void TheNewestTimeWinsOverTheLargerId()
    {
        MetricSetChoice[] sets = [Set(3, MetricSource.Computed, hours: 2), Set(9, MetricSource.Computed, hours: 1)];

        Assert.Equal(3, ShownMetricSets.Pick(sets, MetricSetPolicy.Default)?.Id);
        Assert.Equal(3, ShownMetricSets.Pick(sets.Reverse(), MetricSetPolicy.Default)?.Id);
    }

    [Fact]
    public void EqualTimesFallBackToTheLargerId()
    {
        MetricSetChoice[] sets = [Set(4, MetricSource.Imported), Set(6, MetricSource.Imported), Set(5, MetricSource.Imported)];

        Assert.Equal(6, ShownMetricSets.Pick(sets, MetricSetPolicy.Default)?.Id);
    }

    [Fact]
    public void AThresholdAdmitsOnlySetsAtThatThresholdWithinTheTolerance()
    {
        MetricSetChoice[] sets =
        [
            Set(1, MetricSource.Computed, threshold: 0.7, hours: 3),
            Set(2, MetricSource.Imported, threshold: 0.7 + 1e-12, hours: 4),
            Set(3, MetricSource.Computed, threshold: 0.8, hours: 1),
            Set(4, MetricSource.Computed, threshold: null, hours: 9),
        ];

        Assert.Equal(1, ShownMetricSets.Pick(sets, new MetricSetPolicy(Threshold: 0.7))?.Id);
        Assert.Equal(3, ShownMetricSets.Pick(sets, new MetricSetPolicy(Threshold: 0.8))?.Id);
        Assert.Null(ShownMetricSets.Pick(sets, new MetricSetPolicy(Threshold: 0.75)));
        Assert.Equal(4, ShownMetricSets.Pick(sets, MetricSetPolicy.Default)?.Id);
    }

    [Fact]
    public void ASimilaritySourceAdmitsOnlySetsOfThatModel()
    {
        MetricSetChoice[] sets = [Set(1, MetricSource.Computed, hours: 1, model: "lexical:jaccard"), Set(2, MetricSource.Imported, model: "all-MiniLM-L6-v2")];

        Assert.Equal(2, ShownMetricSets.Pick(sets, new MetricSetPolicy(SimilaritySource: "all-MiniLM-L6-v2"))?.Id);
        Assert.Equal(1, ShownMetricSets.Pick(sets, MetricSetPolicy.Default)?.Id);
    }

    [Fact]
    public void PerTraceChoosesOneSetForEachTrace()
    {
        MetricSetChoice[] sets =
        [
            Set(1, MetricSource.Imported, trace: 1), Set(2, MetricSource.Computed, hours: 1, trace: 1),
            Set(3, MetricSource.Imported, hours: 2, trace: 2), Set(4, MetricSource.Imported, hours: 1, trace: 2),
        ];

        var shown = ShownMetricSets.PerTrace(sets);

        Assert.Equal([(1, 2), (2, 3)], shown.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Id)));
    }

    [Theory]
    [InlineData(0.2, -0.5, Direction.Promotes)]
    [InlineData(-0.3, 0.5, Direction.Suppresses)]
    public void CounterfactualEffectDecidesTheDirectionWhenDefined(double counterfactual, double resampling, Direction expected)
    {
        var influence = ShownMetricSets.Influence(counterfactual, resampling, dissimilarFraction: 0.4);

        Assert.Equal(expected, influence.Direction);
        Assert.Equal(Math.Abs(counterfactual), influence.Importance);
        Assert.False(influence.Fallback);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.0)]
    public void FewDissimilarResamplesFallBackToTheResamplingEffect(double dissimilarFraction)
    {
        var influence = ShownMetricSets.Influence(counterfactualEffect: 0.4, resamplingEffect: -0.1, dissimilarFraction);

        Assert.Equal(Direction.Suppresses, influence.Direction);
        Assert.Equal(0.1, influence.Importance, 12);
        Assert.True(influence.Fallback);
    }

    [Fact]
    public void JustAboveTheDissimilarThresholdTheCounterfactualEffectStands()
    {
        var influence = ShownMetricSets.Influence(counterfactualEffect: 0.4, resamplingEffect: -0.1, dissimilarFraction: ShownMetricSets.MinimumDissimilarFraction + 1e-9);

        Assert.Equal(Direction.Promotes, influence.Direction);
        Assert.False(influence.Fallback);
    }

    [Fact]
    public void MissingCounterfactualFallsBackToTheResamplingEffect()
    {
        var influence = ShownMetricSets.Influence(counterfactualEffect: null, resamplingEffect: 0.25, dissimilarFraction: 0.5);

        Assert.Equal(Direction.Promotes, influence.Direction);
        Assert.True(influence.Fallback);
    }

    [Fact]
    public void ANonFiniteCounterfactualFallsBackToTheResamplingEffect()
    {
        var influence = ShownMetricSets.Influence(counterfactualEffect: double.NaN, resamplingEffect: -0.25, dissimilarFraction: 0.5);

        Assert.Equal(Direction.Suppresses, influence.Direction);
        Assert.True(influence.Fallback);
    }

    [Theory]
    [InlineData(0.0, 0.3, 0.5)]
    [InlineData(null, null, 0.5)]
    [InlineData(null, 0.0, null)]
    public void ZeroOrMissingEffectHasNoDirection(double? counterfactual, double? resampling, double? dissimilarFraction)
    {
        var influence = ShownMetricSets.Influence(counterfactual, resampling, dissimilarFraction);

        Assert.Equal(Direction.None, influence.Direction);
        Assert.Equal(0, influence.Importance);
    }

    [Theory]
    [InlineData(1e-12, Direction.Promotes)]
    [InlineData(-1e-12, Direction.Suppresses)]
    [InlineData(0.0, Direction.None)]
    [InlineData(double.NaN, Direction.None)]
    public void OnlyAnEffectOfExactlyZeroHasNoMeasurableEffect(double effect, Direction expected) =>
        Assert.Equal(expected, ShownMetricSets.DirectionOf(effect));

    [Fact]
    public void MaxImportanceReadsEachSentenceAsTheDirectionDoes()
    {
        (int, string, double)[] values =
        [
            (0, MetricNames.CounterfactualEffect, 0.9), (0, MetricNames.DissimilarFraction, 0.02), (0, MetricNames.ResamplingEffect, -0.1),
            (1, MetricNames.CounterfactualEffect, -0.3), (1, MetricNames.DissimilarFraction, 0.5), (1, MetricNames.ResamplingEffect, 0.8),
        ];

        Assert.Equal(0.3, ShownMetricSets.MaxImportance(values));
        Assert.Null(ShownMetricSets.MaxImportance([]));
    }
}
