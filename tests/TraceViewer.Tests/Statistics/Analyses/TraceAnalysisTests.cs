using TraceViewer.Statistics.Analyses;

namespace TraceViewer.Tests.Statistics.Analyses;

public sealed class TraceAnalysisTests
{
    private const string Af = "alignment_faking";
    private const string Comply = "compliance";

    private static EffectPair[] Pairs(double[] af, double[] comply) =>
        [.. af.Select((a, i) => new EffectPair(i, a, comply[i]))];

    [Fact]
    public void PearsonAndSpearmanMatchHandComputedValues()
    {
        // x = 0.1, -0.2, 0.3, 0 and y = 0.2, 0.2, -0.1, 0: Sxy = -0.065, Sxx = 0.13, Syy = 0.0675, r = -0.065 / sqrt(0.13 * 0.0675).
        // Ranks 3, 1, 4, 2 and 3.5, 3.5, 1, 2 (the tie shares 3.5): rho = -3 / sqrt(5 * 4.5).
        var c = EffectCorrelation.Of(Pairs([0.1, -0.2, 0.3, 0], [0.2, 0.2, -0.1, 0]));

        Assert.Equal(4, c.N);
        Assert.Null(c.Undefined);
        Assert.Equal(-0.065 / Math.Sqrt(0.13 * 0.0675), c.Pearson!.Value, 1e-12);
        Assert.Equal(-0.693888666488711, c.Pearson.Value, 1e-12);
        Assert.Equal(-3 / Math.Sqrt(22.5), c.Spearman!.Value, 1e-12);
    }

    [Fact]
    public void MonotoneButNotLinearGivesSpearmanOneAndPearsonBelow()
    {
        var c = EffectCorrelation.Of(Pairs([1, 2, 3], [1, 2, 4]));

        Assert.Equal(3 / Math.Sqrt(28.0 / 3), c.Pearson!.Value, 1e-12);
        Assert.Equal(1, c.Spearman!.Value, 1e-12);
    }

    [Fact]
    public void FewerThanThreeSentencesIsUndefinedAndSaysSo()
    {
        var c = EffectCorrelation.Of(Pairs([0.1, 0.2], [0.3, -0.1]));

        Assert.Equal(2, c.N);
        Assert.Null(c.Pearson);
        Assert.Null(c.Spearman);
        Assert.Equal(CorrelationUndefined.TooFewSentences, c.Undefined);
    }

    [Theory]
    [InlineData(new[] { 0.2, 0.2, 0.2 }, new[] { 0.1, 0.0, -0.1 }, CorrelationUndefined.AlignmentFakingConstant)]
    [InlineData(new[] { 0.1, 0.0, -0.1 }, new[] { 0.0, 0.0, 0.0 }, CorrelationUndefined.ComplianceConstant)]
    [InlineData(new[] { 0.0, 0.0, 0.0 }, new[] { 0.5, 0.5, 0.5 }, CorrelationUndefined.BothConstant)]
    public void ZeroVarianceIsUndefinedAndNamesTheOutcome(double[] af, double[] comply, CorrelationUndefined why)
    {
        var c = EffectCorrelation.Of(Pairs(af, comply));

        Assert.Null(c.Pearson);
        Assert.Null(c.Spearman);
        Assert.Equal(why, c.Undefined);
    }

    [Fact]
    public void RanksShareTheMeanRankOfTies()
    {
        Assert.Equal([2.5, 1, 2.5, 4], EffectCorrelation.Ranks([5, 1, 5, 9]));
    }

    [Fact]
    public void ConcentrationIsTheShareOfTheStrongestSentences()
    {
        // |effects| 0.5, 0.3, 0.1, 0.1: total 1.0; top 1 = 0.5, top 2 = 0.8, top 5 = all of them.
        var c = EffectConcentration.Of(Af, [0.1, -0.3, 0.5, -0.1]);

        Assert.Equal(4, c.Sentences);
        Assert.Equal(1.0, c.TotalAbsoluteEffect, 1e-12);
        Assert.Equal(0.5, c.ShareOf(1)!.Value, 1e-12);
        Assert.Equal(0.8, c.ShareOf(2)!.Value, 1e-12);
        Assert.Equal(1.0, c.ShareOf(5)!.Value, 1e-12);
        Assert.Null(c.Undefined);
    }

    [Fact]
    public void ConcentrationOverSixSentencesLeavesTheSixthOut()
    {
        // |effects| 0.4, 0.2, 0.1, 0.1, 0.1, 0.1: total 1.0; top 5 = 0.9.
        var c = EffectConcentration.Of(Comply, [0.1, 0.1, -0.4, 0.2, -0.1, 0.1]);

        Assert.Equal(0.4, c.ShareOf(1)!.Value, 1e-12);
        Assert.Equal(0.6, c.ShareOf(2)!.Value, 1e-12);
        Assert.Equal(0.9, c.ShareOf(5)!.Value, 1e-12);
    }

    [Fact]
    public void ConcentrationWithoutEffectIsUndefined()
    {
        var none = EffectConcentration.Of(Af, []);
        var zero = EffectConcentration.Of(Af, [0.0, -0.0, 0.0]);

        Assert.Equal(EffectConcentration.NoSentences, none.Undefined);
        Assert.Equal(EffectConcentration.AllZero, zero.Undefined);
        Assert.All(none.Top.Concat(zero.Top), t => Assert.Null(t.Share));
        Assert.Equal(3, zero.Sentences);
    }

    [Fact]
    public void TracePairsOnlySentencesWithBothFiniteEffects()
    {
        var analysis = TraceAnalysis.Of(
        [
            new OutcomeEffects(Af, [new(0, 0.1), new(1, -0.2), new(2, 0.3), new(3, 0), new(5, double.NaN)]),
            new OutcomeEffects(Comply, [new(0, 0.2), new(1, 0.2), new(2, -0.1), new(3, 0), new(4, 0.7), new(5, 0.1)]),
        ], Af, Comply);

        Assert.True(analysis.HasBothOutcomes);
        Assert.Equal([0, 1, 2, 3], analysis.Pairs.Select(p => p.Index));
        Assert.Equal(-0.693888666488711, analysis.Correlation!.Pearson!.Value, 1e-12);
        // Concentration uses every sentence of the outcome: compliance |0.2|+|0.2|+|0.1|+0+|0.7|+|0.1| = 1.3.
        Assert.Equal(1.3, analysis.ConcentrationOf(Comply)!.TotalAbsoluteEffect, 1e-12);
        Assert.Equal(0.7 / 1.3, analysis.ConcentrationOf(Comply)!.ShareOf(1)!.Value, 1e-12);
        Assert.Equal(4, analysis.ConcentrationOf(Af)!.Sentences);
    }

    [Fact]
    public void OneOutcomeHasConcentrationButNoCorrelation()
    {
        var analysis = TraceAnalysis.Of([new OutcomeEffects("is_correct", [new(0, 0.3), new(1, -0.1)])], Af, Comply);

        Assert.False(analysis.HasBothOutcomes);
        Assert.Null(analysis.Correlation);
        Assert.Empty(analysis.Pairs);
        Assert.Equal(0.75, analysis.ConcentrationOf("is_correct")!.ShareOf(1)!.Value, 1e-12);
    }
}
