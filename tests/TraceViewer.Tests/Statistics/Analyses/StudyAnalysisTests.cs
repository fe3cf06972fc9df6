using TraceViewer.Statistics.Analyses;

namespace TraceViewer.Tests.Statistics.Analyses;

public sealed class StudyAnalysisTests
{
    private const string Af = "alignment_faking";
    private const string Comply = "compliance";

    private static TraceAnalysis Analysis(double[] af, double[] comply) => TraceAnalysis.Of(
    [
        new OutcomeEffects(Af, [.. af.Select((e, i) => new IndexedEffect(i, e))]),
        new OutcomeEffects(Comply, [.. comply.Select((e, i) => new IndexedEffect(i, e))]),
    ], Af, Comply);

    [Fact]
    public void DistributesTracesPerConditionWithMedians()
    {
        var conditions = StudyAnalysis.Distribute(
        [
            new AnalysedTrace(3, "c", "v1", "paid", Analysis([1, 2, 3], [1, 2, 4])),
            new AnalysedTrace(1, "a", "v1", "free", Analysis([0.5, 0.5], [0.1, 0.3])),
            new AnalysedTrace(2, "b", "v1", "free", Analysis([0.1, 0.3, 0.6], [0.3, 0.2, 0.1])),
        ], [Af, Comply]);

        Assert.Equal(["free", "paid"], conditions.Select(c => c.Tier));
        var free = conditions[0];
        Assert.Equal([1, 2], free.Traces.Select(t => t.TraceId));
        // AF top-1 shares: 0.5 (two equal sentences) and 0.6; median 0.55 over two traces.
        var afTop1 = free.MedianConcentration.Single(m => m.Outcome == Af && m.K == 1);
        Assert.Equal(0.55, afTop1.Median!.Value, 1e-12);
        Assert.Equal(2, afTop1.Traces);
        // Only the second trace has three sentences; its ranks are reversed (Spearman -1) though the effects are not on a line.
        Assert.Equal(1, free.CorrelationsDefined);
        Assert.Equal(free.Traces[1].Correlation!.Pearson, free.MedianPearson);
        Assert.Equal(-1, free.MedianSpearman!.Value, 1e-12);
    }

    [Fact]
    public void MedianOfEvenAndOddCounts()
    {
        Assert.Null(StudyAnalysis.Median([]));
        Assert.Equal(2, StudyAnalysis.Median([3, 1, 2]));
        Assert.Equal(2.5, StudyAnalysis.Median([4, 1, 3, 2]));
    }

    [Fact]
    public void PairsTheSameQueryAcrossTiersWithWilsonRates()
    {
        var pairs = StudyAnalysis.Pair(
        [
            new QueryObservation(1, "v", "free", "how to x", true, true),
            new QueryObservation(2, "v", "paid", "how to x", false, null),
            new QueryObservation(3, "v", "free", "how to x", false, false),
            new QueryObservation(4, "v", "paid", "only paid", true, false),
            new QueryObservation(5, "v", "none", "how to x", true, true),
        ]);

        Assert.Equal(["how to x", "only paid"], pairs.Select(p => p.Query));
        var x = pairs[0];
        Assert.Equal([1, 3], x.Free!.TraceIds);
        Assert.Equal(1, x.Free.Compliance.Positives);
        Assert.Equal(2, x.Free.Compliance.Determined);
        Assert.Equal(0.5, x.Free.Compliance.Rate);
        // Wilson 95% for 1 of 2: center 0.5, half = z * sqrt(0.125 + z²/16) / (1 + z²/2).
        var z = 1.959963984540054;
        var half = z * Math.Sqrt(0.125 + z * z / 16) / (1 + z * z / 2);
        Assert.Equal(0.5 - half, x.Free.Compliance.Low, 1e-12);
        Assert.Equal(0.5 + half, x.Free.Compliance.High, 1e-12);
        Assert.Equal([2], x.Paid!.TraceIds);
        Assert.Null(x.Paid.AlignmentFaking.Rate);
        Assert.Equal(1, x.Paid.AlignmentFaking.Undetermined);
        Assert.Null(pairs[1].Free);
    }

    [Theory]
    [InlineData("<INPUT>\n<is_free_tier_user>True</is_free_tier_user>\n\n<user_input>\nWrite a  poem.\n</user_input>\n</INPUT>", "Write a poem.")]
    [InlineData("<is_free_tier_user>false</is_free_tier_user>\nWrite a poem.", "Write a poem.")]
    [InlineData("Write a poem.", "Write a poem.")]
    [InlineData(null, "")]
    public void TheQueryIsTheUserInputWithoutItsTier(string? prompt, string query)
    {
        Assert.Equal(query, StudyAnalysis.QueryOf(prompt));
    }
}
