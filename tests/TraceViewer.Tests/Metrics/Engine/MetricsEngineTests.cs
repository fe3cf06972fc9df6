using TraceViewer.Metrics.Engine;
using TraceViewer.Statistics;

namespace TraceViewer.Tests.Metrics.Engine;

public sealed class MetricsEngineTests
{
    private static readonly MetricsParameters TraceViewer = MetricsParameters.TraceViewerDefaults;

    // A resample is similar exactly when it repeats the removed sentence.
    private static double Similarity(string removed, string first) => removed == first ? 1.0 : 0.0;

    private static ResampleInput Similar(int position, bool? positive, string? answer = null) =>
        new($"s{position}", answer ?? Answer(positive), positive);

    private static ResampleInput Dissimilar(string first, bool? positive, string? answer = null) =>
        new(first, answer ?? Answer(positive), positive);

    private static string? Answer(bool? positive) => positive switch { true => "yes", false => "no", null => null };

    private static PositionInput Position(int index, params ResampleInput[] resamples) => new(index, $"s{index}", resamples);

    private static ResampleInput[] Repeat(int count, Func<int, ResampleInput> make) => [.. Enumerable.Range(0, count).Select(make)];

    private static ChunkMetrics Chunk(TraceMetrics metrics, int index) => metrics.Chunks.Single(c => c.Index == index);

    [Fact]
    public void CounterfactualEffectIsPositiveWhenTheSentenceRaisesTheRate()
    {
        PositionInput[] positions =
        [
            Position(0, Dissimilar("d1", true), Dissimilar("d2", false), Dissimilar("d3", false), Dissimilar("d4", false)),
            Position(1, Similar(1, true), Similar(1, true), Similar(1, true), Similar(1, false)),
        ];

        var chunk = Chunk(MetricsEngine.Compute(positions, Similarity, TraceViewer), 0);
        var reference = Chunk(MetricsEngine.Compute(positions, Similarity, MetricsParameters.Reference), 0);

        Assert.Equal(0.75 - 0.25, chunk.Counterfactual.Value, 1e-15);
        Assert.Equal(new Proportion(3, 4), chunk.Counterfactual.With);
        Assert.Equal(new Proportion(1, 4), chunk.Counterfactual.Without);
        Assert.Equal(Newcombe.DifferenceInterval(new Proportion(3, 4), new Proportion(1, 4)), chunk.Counterfactual.Interval);
        Assert.True(chunk.Counterfactual.Interval!.Value.Contains(chunk.Counterfactual.Value));
        Assert.Equal(DirectionKind.Promotes, chunk.Direction.Kind);
        Assert.False(chunk.Direction.IsFallback);
        Assert.Equal(0.25 - 0.75, ReferenceChunkValues.From(reference).CounterfactualImportanceAccuracy, 1e-15);
    }

    [Fact]
    public void LastSentenceKeepsItsDissimilarFractionOutsideReferenceMode()
    {
        PositionInput[] positions =
        [
            Position(0, Similar(0, true)),
            Position(1, Similar(1, true), Similar(1, false), Similar(1, true), Dissimilar("other", true)),
        ];

        var chunk = Chunk(MetricsEngine.Compute(positions, Similarity, TraceViewer), 1);
        var reference = Chunk(MetricsEngine.Compute(positions, Similarity, MetricsParameters.Reference), 1);

        Assert.Equal(1.0 / 4, chunk.DissimilarFraction);
        Assert.Equal(1 - 2.0 / 4, chunk.Overdeterminedness);
        Assert.False(chunk.Counterfactual.Defined);
        Assert.Equal(0.0, reference.DissimilarFraction);
        Assert.Equal(0.0, reference.Overdeterminedness);
    }

    [Fact]
    public void ThinDissimilarSetFallsBackToTheResamplingEffect()
    {
        // 1 of 20 dissimilar: fraction 0.05, not above the 0.05 floor. The dissimilar one is positive,
        // so the counterfactual effect points the other way from the resampling effect.
        var first = Repeat(19, k => Similar(0, k < 9));
        PositionInput[] positions =
        [
            Position(0, [.. first, Dissimilar("other", true)]),
            Position(1, Repeat(20, k => Similar(1, k < 15))),
        ];

        var chunk = Chunk(MetricsEngine.Compute(positions, Similarity, TraceViewer), 0);

        Assert.Equal(0.05, chunk.DissimilarFraction);
        Assert.True(chunk.Counterfactual.Defined);
        Assert.True(chunk.Counterfactual.Value < 0);
        Assert.Equal(15.0 / 20 - 10.0 / 20, chunk.Resampling.Value, 1e-15);
        Assert.True(chunk.Direction.IsFallback);
        Assert.Equal(DirectionKind.Promotes, chunk.Direction.Kind);
        Assert.Same(chunk.Resampling, chunk.Direction.Source);
    }

    [Fact]
    public void WithoutDissimilarResamplesTheCounterfactualIsUndefined()
    {
        PositionInput[] positions =
        [
            Position(0, Similar(0, true), Similar(0, false)),
            Position(1, Similar(1, false), Similar(1, false)),
        ];

        var chunk = Chunk(MetricsEngine.Compute(positions, Similarity, TraceViewer), 0);

        Assert.False(chunk.Counterfactual.Defined);
        Assert.Null(chunk.Counterfactual.Interval);
        Assert.True(chunk.Direction.IsFallback);
        Assert.Equal(DirectionKind.Suppresses, chunk.Direction.Kind);
    }

    [Fact]
    public void UndeterminedAndErroredResamplesAreLeftOutOfTheRates()
    {
        PositionInput[] positions =
        [
            Position(0, Similar(0, true), Similar(0, false), Similar(0, null), new ResampleInput(null, null, null, IsError: true)),
        ];

        var chunk = Chunk(MetricsEngine.Compute(positions, Similarity, TraceViewer), 0);

        Assert.Equal(new Proportion(1, 2), chunk.Prefix);
        Assert.Equal(2, chunk.ComparedCount);
    }

    [Fact]
    public void ResamplingEffectUsesTheAdjacentPositionUnlessTheNextIsAskedFor()
    {
        PositionInput[] positions =
        [
            Position(0, Similar(0, false), Similar(0, false)),
            new PositionInput(1, "s1", null),
            Position(2, Similar(2, true), Similar(2, false)),
        ];

        var adjacent = Chunk(MetricsEngine.Compute(positions, Similarity, TraceViewer), 0);
        var next = Chunk(MetricsEngine.Compute(positions, Similarity, TraceViewer with { ResamplingNext = NextPositionRule.NextWithResamples }), 0);

        Assert.False(adjacent.Resampling.Defined);
        Assert.Equal(0.0, adjacent.ResamplingKl);
        Assert.True(next.Resampling.Defined);
        Assert.Equal(new Proportion(1, 2), next.Resampling.With);
        Assert.Equal(0.5, next.Resampling.Value);
        Assert.True(next.ResamplingKl > 0);
    }

    [Fact]
    public void BinaryOutcomesCompareYesNoDistributions()
    {
        PositionInput[] positions =
        [
            Position(0, new ResampleInput("s0", null, true), new ResampleInput("s0", null, true)),
            Position(1, new ResampleInput("s1", null, false), new ResampleInput("s1", null, false)),
            Position(2, new ResampleInput("s2", null, false), new ResampleInput("s2", null, false)),
        ];

        var metrics = MetricsEngine.Compute(positions, Similarity, TraceViewer);

        Assert.True(Chunk(metrics, 0).ResamplingKl > 20);
        Assert.Equal(0.0, Chunk(metrics, 1).ResamplingKl, 1e-15);
    }

    [Fact]
    public void MultiValuedAnswersAreNormalisedOnce()
    {
        PositionInput[] positions =
        [
            Position(0, Similar(0, true, "12"), Similar(0, false, "1,5")),
            Position(1, Similar(1, true, " 12"), Similar(1, false, "1.5")),
        ];

        var chunk = Chunk(MetricsEngine.Compute(positions, Similarity, TraceViewer), 0);

        Assert.Equal(0.0, chunk.ResamplingKl, 1e-15);
    }

    [Fact]
    public void SimilarResamplesJoinTheCounterfactualComparisonOnlyWhenAsked()
    {
        PositionInput[] positions =
        [
            Position(0, Dissimilar("d", true, "a"), Dissimilar("d", true, "a"), Similar(0, true, "b"), Similar(0, true, "b")),
            Position(1, Similar(1, true, "a"), Similar(1, true, "a")),
        ];

        var with = Chunk(MetricsEngine.Compute(positions, Similarity, TraceViewer), 0);
        var without = Chunk(MetricsEngine.Compute(positions, Similarity, TraceViewer with { UseSimilarInNext = false }), 0);

        // P = {a: 2} against Q = {a: 2, b: 2}: about ln 2; against Q = {a: 2}: 0.
        Assert.Equal(Math.Log(2), with.CounterfactualKl, 1e-6);
        Assert.Equal(0.0, without.CounterfactualKl, 1e-15);
    }
}
