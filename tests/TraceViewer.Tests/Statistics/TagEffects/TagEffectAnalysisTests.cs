using TraceViewer.Statistics;
using TraceViewer.Statistics.TagEffects;

namespace TraceViewer.Tests.Statistics.TagEffects;

public sealed class TagEffectAnalysisTests
{
    private static readonly BootstrapOptions Bootstrap = new(1000, Seed: 17);

    /// <summary>One tag "x"; each trace is a list of (effect, tagged).</summary>
    private static TagEffectTable Table(params (double Effect, bool Tagged)[][] traces)
    {
        var sentences = traces.SelectMany((sentences, trace) => sentences.Select(s => (Trace: trace, s.Effect, s.Tagged))).ToArray();
        return new TagEffectTable(
            ["x"],
            [.. traces.Select((_, i) => $"t{i}")],
            [.. sentences.Select(s => s.Trace)],
            [.. sentences.Select(s => s.Effect)],
            [[.. sentences.Select(s => s.Tagged)]]);
    }

    [Fact]
    public void ASmallStudyGivesTheHandComputedValues()
    {
        var table = Table(
            [(0.5, true), (-0.1, false), (0.2, true)],
            [(-0.4, true), (0.1, false), (0.0, false)]);

        var report = TagEffectAnalysis.Compute(table, topK: 2, Bootstrap);

        Assert.Equal((2, 6, 2), (report.Traces, report.Sentences, report.TopK));
        var x = Assert.Single(report.Tags);
        Assert.Equal((3, 2), (x.Tagged.Sentences, x.Tagged.Traces));
        Assert.Equal((3, 2), (x.Untagged.Sentences, x.Untagged.Traces));
        Assert.Equal(0.1, x.Tagged.MeanSignedEffect.Value!.Value, 1e-15);
        Assert.Equal(1.1 / 3, x.Tagged.MeanAbsoluteEffect.Value!.Value, 1e-15);
        Assert.Equal(0.0, x.Untagged.MeanSignedEffect.Value!.Value, 1e-15);
        Assert.Equal(0.2 / 3, x.Untagged.MeanAbsoluteEffect.Value!.Value, 1e-15);
        // Top two by strength: 0.5 and 0.2 (both tagged), then -0.4 (tagged) and 0.1 (not).
        Assert.Equal(0.75, x.Tagged.TopKShare.Value!.Value, 1e-15);
        Assert.Equal(0.25, x.Untagged.TopKShare.Value!.Value, 1e-15);
        Assert.Equal(0.5, x.Tagged.Share.Value!.Value, 1e-15);
        Assert.Equal(0.1, x.SignedDifference.Value!.Value, 1e-15);
        Assert.Equal(0.3, x.AbsoluteDifference.Value!.Value, 1e-15);
    }

    [Fact]
    public void TheBootstrapResamplesWholeTraces()
    {
        // A hundred identical tagged sentences in one trace and a single one in the other. Drawing the second trace
        // twice (a quarter of the replicates) gives a mean of 0, so the interval reaches 0; resampling sentences
        // would almost never draw the lone sentence alone and would give an interval near 1.
        var table = Table([.. Enumerable.Repeat((1.0, true), 100)], [(0.0, true)]);

        var x = TagEffectAnalysis.Compute(table, topK: 3, Bootstrap).Tags[0];

        Assert.Equal(100.0 / 101, x.Tagged.MeanSignedEffect.Value!.Value, 1e-15);
        var range = x.Tagged.MeanSignedEffect.Interval.Range!.Value;
        Assert.Equal(0.0, range.Low);
        Assert.Equal(1.0, range.High);
        Assert.Equal("percentile bootstrap over traces", x.Tagged.MeanSignedEffect.Interval.Method);
    }

    [Fact]
    public void OneTraceHasNoSpreadHoweverManySentencesItHas()
    {
        var random = new Random(3);
        var table = Table([.. Enumerable.Range(0, 150).Select(i => (random.NextDouble() - 0.5, i % 3 == 0))]);

        var x = TagEffectAnalysis.Compute(table, topK: 5, Bootstrap).Tags[0];

        var mean = x.Tagged.MeanSignedEffect;
        Assert.Equal(mean.Value!.Value, mean.Interval.Range!.Value.Low, 1e-12);
        Assert.Equal(mean.Value!.Value, mean.Interval.Range!.Value.High, 1e-12);
    }

    [Fact]
    public void TheSameSeedGivesTheSameIntervals()
    {
        var table = Synthetic(traces: 40, sentencesPerTrace: 30, tags: 3, seed: 5);

        var first = TagEffectAnalysis.Compute(table, 5, new BootstrapOptions(1000, Seed: 1));
        var again = TagEffectAnalysis.Compute(table, 5, new BootstrapOptions(1000, Seed: 1));
        var other = TagEffectAnalysis.Compute(table, 5, new BootstrapOptions(1000, Seed: 2));

        Assert.Equal(first.Tags.Select(t => t.Tagged.MeanSignedEffect), again.Tags.Select(t => t.Tagged.MeanSignedEffect));
        Assert.Equal(first.Tags.Select(t => t.AbsoluteDifference), again.Tags.Select(t => t.AbsoluteDifference));
        Assert.NotEqual(first.Tags[0].Tagged.MeanSignedEffect.Interval.Range, other.Tags[0].Tagged.MeanSignedEffect.Interval.Range);
    }

    [Fact]
    public void IntervalsContainTheEstimatesAndNarrowWithMoreTraces()
    {
        var small = TagEffectAnalysis.Compute(Synthetic(traces: 20, sentencesPerTrace: 40, tags: 2, seed: 8), 5, Bootstrap);
        var large = TagEffectAnalysis.Compute(Synthetic(traces: 500, sentencesPerTrace: 40, tags: 2, seed: 8), 5, Bootstrap);

        foreach (var estimate in large.Tags.SelectMany(Estimates).Concat(small.Tags.SelectMany(Estimates)))
        {
            Assert.True(estimate.Interval.Range!.Value.Contains(estimate.Value!.Value), $"{estimate.Interval.Range} does not contain {estimate.Value}");
        }

        // 25 times the traces: about a fifth of the width.
        Assert.True(Width(large.Tags[0].Tagged.MeanAbsoluteEffect) < 0.35 * Width(small.Tags[0].Tagged.MeanAbsoluteEffect));
        Assert.True(Width(large.Tags[0].SignedDifference) < 0.35 * Width(small.Tags[0].SignedDifference));
    }

    [Fact]
    public void ATagNoSentenceCarriesIsUndefinedNotZero()
    {
        var table = Table([(0.3, false), (-0.2, false)], [(0.1, false)]);

        var x = TagEffectAnalysis.Compute(table, 2, Bootstrap).Tags[0];

        Assert.Equal((0, 0), (x.Tagged.Sentences, x.Tagged.Traces));
        Assert.Null(x.Tagged.MeanSignedEffect.Value);
        Assert.Null(x.Tagged.MeanAbsoluteEffect.Value);
        Assert.Null(x.SignedDifference.Value);
        Assert.Null(x.Tagged.MeanSignedEffect.Interval.Range);
        Assert.Equal(1000, x.Tagged.MeanSignedEffect.Interval.UndefinedReplicates);
        Assert.Equal(0.0, x.Tagged.TopKShare.Value);
        Assert.Equal(0.2 / 3, x.Untagged.MeanSignedEffect.Value!.Value, 1e-15);
    }

    [Fact]
    public void ReplicatesWithoutATaggedSentenceAreCountedAsUndefined()
    {
        // Only the first of two traces carries the tag: a quarter of the replicates draw the second twice.
        var table = Table([(0.3, true), (-0.2, false)], [(0.1, false)]);

        var x = TagEffectAnalysis.Compute(table, 2, new BootstrapOptions(4000, Seed: 3)).Tags[0];

        var interval = x.Tagged.MeanSignedEffect.Interval;
        Assert.InRange(interval.UndefinedReplicates, 850, 1150);
        Assert.Equal(new Interval(0.3, 0.3), interval.Range);
        Assert.Equal(0, x.Untagged.MeanSignedEffect.Interval.UndefinedReplicates);
    }

    [Fact]
    public void EqualStrengthsKeepTheGivenOrderInTheTopK()
    {
        var table = Table([(0.2, false), (-0.2, true), (0.2, true), (0.1, true)]);

        var x = TagEffectAnalysis.Compute(table, topK: 2, Bootstrap).Tags[0];

        Assert.Equal(0.5, x.Tagged.TopKShare.Value);
    }

    [Fact]
    public void ATraceShorterThanKUsesAllItsSentences()
    {
        var table = Table([(0.2, true)], [(0.5, false), (0.4, true)]);

        var x = TagEffectAnalysis.Compute(table, topK: 5, Bootstrap).Tags[0];

        Assert.Equal((1.0 + 0.5) / 2, x.Tagged.TopKShare.Value);
    }

    [Fact]
    public void EffectsThatAreNotNumbersAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Table([(0.2, true), (double.NaN, false)]));

        Assert.Contains("Sentence 1 (trace 't0')", error.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<Estimate> Estimates(TagEffect tag) =>
    [
        tag.Tagged.MeanSignedEffect, tag.Tagged.MeanAbsoluteEffect, tag.Tagged.TopKShare, tag.Tagged.Share,
        tag.Untagged.MeanSignedEffect, tag.Untagged.MeanAbsoluteEffect, tag.SignedDifference, tag.AbsoluteDifference,
    ];

    private static double Width(Estimate estimate) => estimate.Interval.Range!.Value.High - estimate.Interval.Range.Value.Low;

    /// <summary>Traces with a per-trace offset (so sentences of a trace are correlated); tag g is more likely on strong sentences.</summary>
    internal static TagEffectTable Synthetic(int traces, int sentencesPerTrace, int tags, int seed)
    {
        var random = new Random(seed);
        var n = traces * sentencesPerTrace;
        var traceOf = new int[n];
        var effects = new double[n];
        var tagged = Enumerable.Range(0, tags).Select(_ => new bool[n]).ToArray();
        for (var t = 0; t < traces; t++)
        {
            var offset = random.NextDouble() * 0.2 - 0.1;
            for (var i = 0; i < sentencesPerTrace; i++)
            {
                var s = t * sentencesPerTrace + i;
                traceOf[s] = t;
                effects[s] = offset + (random.NextDouble() - 0.5) * 0.4;
                for (var g = 0; g < tags; g++)
                {
                    tagged[g][s] = random.NextDouble() < 0.05 + Math.Abs(effects[s]) * (g + 1);
                }
            }
        }

        return new TagEffectTable([.. Enumerable.Range(0, tags).Select(g => $"tag{g}")], [.. Enumerable.Range(0, traces).Select(t => $"t{t}")], traceOf, effects, tagged);
    }
}
