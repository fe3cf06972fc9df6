using TraceViewer.Statistics;
using TraceViewer.Statistics.Agreement;

namespace TraceViewer.Tests.Statistics.Agreement;

public sealed class AgreementAnalysisTests
{
    private static readonly string[] XY = ["x", "y"];

    /// <summary>Ratings from one string per annotator: character i is item i's label, '.' not rated.</summary>
    internal static RatingTable Table(string[] categories, params (string Annotator, string Labels)[] annotators)
    {
        var ratings = new List<Rating>();
        foreach (var (annotator, labels) in annotators)
        {
            for (var i = 0; i < labels.Length; i++)
            {
                if (labels[i] != '.')
                {
                    ratings.Add(new Rating(annotator, $"i{i}", labels[i].ToString()));
                }
            }
        }

        return RatingTable.Create(categories, ratings);
    }

    [Fact]
    public void CohenKappaOfASmallTableIsTheHandComputedValue()
    {
        // p_o = 3/4; marginals (1/2, 1/2) and (1/4, 3/4) give p_e = 1/2, so kappa = (3/4 - 1/2) / (1/2).
        var table = Table(XY, ("ann", "xxyy"), ("bo", "xyyy"));

        var pair = Assert.Single(AgreementAnalysis.Compute(table).Pairwise);

        Assert.Equal(("ann", "bo", 4), (pair.A, pair.B, pair.N));
        Assert.Equal(0.75, pair.ObservedAgreement!.Value, 1e-15);
        Assert.Equal(0.5, pair.CohenKappa!.Value, 1e-15);
        Assert.Equal([[1, 1], [0, 2]], pair.Confusion);
    }

    [Fact]
    public void KrippendorffAlphaOfASmallTableIsTheHandComputedValue()
    {
        // Coincidences: x-x 2, y-y 4, x-y and y-x 1 each; n = 8, n_x = 3, n_y = 5: alpha = 1 - 7·2 / (64 - 9 - 25).
        var table = Table(XY, ("ann", "xxyy"), ("bo", "xyyy"));

        var alpha = AgreementAnalysis.Compute(table).Krippendorff;

        Assert.Equal((4, 8), (alpha.Items, alpha.Values));
        Assert.Equal(1 - 14.0 / 30, alpha.Alpha!.Value, 1e-15);
    }

    [Fact]
    public void FleissKappaOfASmallTableIsTheHandComputedValue()
    {
        // P_i = 1, 1/3, 1, 1/3, so P-bar = 2/3; both categories hold 6 of 12 ratings, so P_e = 1/2: kappa = 1/3.
        var table = Table(XY, ("ann", "xxyx"), ("bo", "xxyy"), ("cy", "xyyy"));

        var fleiss = AgreementAnalysis.Compute(table).Fleiss;

        Assert.NotNull(fleiss);
        Assert.Equal(["i0", "i1", "i2", "i3"], fleiss.Items);
        Assert.Equal(3, fleiss.Raters);
        Assert.Equal(1.0 / 3, fleiss.Kappa!.Value, 1e-15);
    }

    [Fact]
    public void FleissKappaUsesOnlyItemsEveryAnnotatorRated()
    {
        var complete = Table(XY, ("ann", "xxyx"), ("bo", "xxyy"), ("cy", "xyyy"));
        var withGaps = Table(XY, ("ann", "xxyxy."), ("bo", "xxyy.x"), ("cy", "xyyyyy"));

        var fleiss = AgreementAnalysis.Compute(withGaps).Fleiss!;

        Assert.Equal(["i0", "i1", "i2", "i3"], fleiss.Items);
        Assert.Equal(AgreementAnalysis.Compute(complete).Fleiss!.Kappa, fleiss.Kappa);
    }

    [Fact]
    public void FleissKappaNeedsThreeAnnotators()
    {
        var table = Table(XY, ("ann", "xxyy"), ("bo", "xyyy"));

        Assert.Null(AgreementAnalysis.Compute(table).Fleiss);
    }

    [Fact]
    public void PairsUseOnlyTheItemsBothRated()
    {
        var table = Table(XY, ("ann", "xxyy.x"), ("bo", "xyyyy."), ("cy", "..xxxx"));

        var pairs = AgreementAnalysis.Compute(table).Pairwise;

        Assert.Equal([("ann", "bo", 4), ("ann", "cy", 3), ("bo", "cy", 3)], pairs.Select(p => (p.A, p.B, p.N)));
        Assert.Equal(0.5, pairs[0].CohenKappa);
        Assert.Equal(1.0 / 3, pairs[1].ObservedAgreement!.Value, 1e-15);
    }

    [Fact]
    public void EveryoneUsingOneCategoryLeavesKappaAndAlphaUndefined()
    {
        var table = Table(XY, ("ann", "xxxx"), ("bo", "xxxx"), ("cy", "xxx."));

        var report = AgreementAnalysis.Compute(table);

        Assert.All(report.Pairwise, p => Assert.Equal(1.0, p.ObservedAgreement));
        Assert.All(report.Pairwise, p => Assert.Null(p.CohenKappa));
        Assert.Null(report.Fleiss!.Kappa);
        Assert.Null(report.Krippendorff.Alpha);
    }

    [Fact]
    public void TwoAnnotatorsEachUsingADifferentSingleCategoryHaveKappaZeroNotUndefined()
    {
        // p_o = 0 and p_e = 1·0 + 0·1 = 0: the denominator is 1, so kappa is defined.
        var table = Table(XY, ("ann", "xxxx"), ("bo", "yyyy"));

        var pair = Assert.Single(AgreementAnalysis.Compute(table).Pairwise);

        Assert.Equal(0.0, pair.ObservedAgreement);
        Assert.Equal(0.0, pair.CohenKappa);
    }

    [Fact]
    public void AnnotatorsWithNoSharedItemHaveNoAgreementAtAll()
    {
        var table = Table(XY, ("ann", "xy.."), ("bo", "..xy"));

        var report = AgreementAnalysis.Compute(table, new BootstrapOptions(1000));

        var pair = Assert.Single(report.Pairwise);
        Assert.Equal(0, pair.N);
        Assert.Null(pair.ObservedAgreement);
        Assert.Null(pair.CohenKappa);
        Assert.Null(pair.CohenKappaInterval!.Range);
        Assert.Equal(1000, pair.CohenKappaInterval.UndefinedReplicates);
        Assert.Equal(0, report.Krippendorff.Items);
        Assert.Null(report.Krippendorff.Alpha);
    }

    [Fact]
    public void RatingsOutsideTheCategoriesAreRejectedByPosition()
    {
        Rating[] ratings = [new("ann", "s0", "x"), new("bo", "s0", "z")];

        var error = Assert.Throws<ArgumentException>(() => RatingTable.Create(XY, ratings));

        Assert.Equal("ratings[1]: label 'z' is not one of the categories (x, y).", error.Message);
    }

    [Fact]
    public void AnAnnotatorRatingAnItemTwiceIsRejected()
    {
        Rating[] ratings = [new("ann", "s0", "x"), new("bo", "s0", "x"), new("ann", "s0", "y")];

        var error = Assert.Throws<ArgumentException>(() => RatingTable.Create(XY, ratings));

        Assert.Equal("ratings[2]: annotator 'ann' rated item 's0' twice.", error.Message);
    }

    [Fact]
    public void TheSameSeedGivesTheSameIntervalsAndAnotherSeedOtherOnes()
    {
        var table = SyntheticTable(items: 200, agreement: 0.8, seed: 1);

        var first = AgreementAnalysis.Compute(table, new BootstrapOptions(1000, Seed: 42));
        var again = AgreementAnalysis.Compute(table, new BootstrapOptions(1000, Seed: 42));
        var other = AgreementAnalysis.Compute(table, new BootstrapOptions(1000, Seed: 43));

        Assert.Equal(first.Pairwise[0].CohenKappaInterval, again.Pairwise[0].CohenKappaInterval);
        Assert.Equal(first.Fleiss!.KappaInterval, again.Fleiss!.KappaInterval);
        Assert.Equal(first.Krippendorff.AlphaInterval, again.Krippendorff.AlphaInterval);
        Assert.NotEqual(first.Pairwise[0].CohenKappaInterval!.Range, other.Pairwise[0].CohenKappaInterval!.Range);
        Assert.NotEqual(first.Krippendorff.AlphaInterval!.Range, other.Krippendorff.AlphaInterval!.Range);
    }

    [Fact]
    public void ComputingSeveralTablesAtOnceGivesEachTablesOwnIntervals()
    {
        // Binary tables over the same 1,001 items (as the tags of one taxonomy are), one with an item fewer, and
        // three-category tables: groups of shared draws, of one table, with few and with many kinds.
        var tables = new List<RatingTable>();
        for (var tag = 0; tag < 4; tag++)
        {
            tables.Add(BinaryTable(items: 1001, seed: tag, leaveOut: tag == 3 ? 500 : null));
        }

        tables.Add(SyntheticTable(items: 1001, agreement: 0.6, seed: 5));
        tables.Add(SyntheticTable(items: 1001, agreement: 0.8, seed: 6));
        var options = new BootstrapOptions(1000, Seed: 7);

        var together = AgreementAnalysis.ComputeMany(tables, options);

        Assert.Equal(tables.Count, together.Count);
        for (var t = 0; t < tables.Count; t++)
        {
            var alone = AgreementAnalysis.Compute(tables[t], options);
            Assert.Equal(alone.Pairwise.Count, together[t].Pairwise.Count);
            for (var p = 0; p < alone.Pairwise.Count; p++)
            {
                Assert.Equal(alone.Pairwise[p].N, together[t].Pairwise[p].N);
                Assert.Equal(alone.Pairwise[p].CohenKappa, together[t].Pairwise[p].CohenKappa);
                Assert.Equal(alone.Pairwise[p].ObservedAgreementInterval, together[t].Pairwise[p].ObservedAgreementInterval);
                Assert.Equal(alone.Pairwise[p].CohenKappaInterval, together[t].Pairwise[p].CohenKappaInterval);
            }

            Assert.Equal(alone.Fleiss!.Kappa, together[t].Fleiss!.Kappa);
            Assert.Equal(alone.Fleiss.KappaInterval, together[t].Fleiss!.KappaInterval);
            Assert.Equal(alone.Krippendorff, together[t].Krippendorff);
        }

        // The shared draws are not the same numbers for different tables.
        Assert.NotEqual(together[0].Krippendorff.AlphaInterval, together[1].Krippendorff.AlphaInterval);
    }

    [Fact]
    public void IntervalsContainThePointEstimatesAndSayHowTheyWereMade()
    {
        var report = AgreementAnalysis.Compute(SyntheticTable(items: 300, agreement: 0.7, seed: 2), new BootstrapOptions(1000, Seed: 3));

        var intervals = report.Pairwise.SelectMany(p => new[] { (p.ObservedAgreement, p.ObservedAgreementInterval), (p.CohenKappa, p.CohenKappaInterval) })
            .Append((report.Fleiss!.Kappa, report.Fleiss.KappaInterval))
            .Append((report.Krippendorff.Alpha, report.Krippendorff.AlphaInterval));
        foreach (var (estimate, interval) in intervals)
        {
            Assert.NotNull(interval?.Range);
            Assert.True(interval.Range.Value.Contains(estimate!.Value), $"{interval.Range} does not contain {estimate}");
            Assert.True(interval.Range.Value.High - interval.Range.Value.Low > 0);
            Assert.Equal("percentile bootstrap over items", interval.Method);
            Assert.Equal((1000, 0, 0.95), (interval.Replicates, interval.UndefinedReplicates, interval.Confidence));
        }
    }

    [Fact]
    public void IntervalsNarrowWithMoreItems()
    {
        var small = AgreementAnalysis.Compute(SyntheticTable(items: 100, agreement: 0.7, seed: 4), new BootstrapOptions(1000, Seed: 1));
        var large = AgreementAnalysis.Compute(SyntheticTable(items: 2500, agreement: 0.7, seed: 4), new BootstrapOptions(1000, Seed: 1));

        // The width of a bootstrap interval shrinks like 1/sqrt(n): 25 times the items, about a fifth of the width.
        Assert.True(Width(large.Pairwise[0].CohenKappaInterval) < 0.35 * Width(small.Pairwise[0].CohenKappaInterval));
        Assert.True(Width(large.Fleiss!.KappaInterval) < 0.35 * Width(small.Fleiss!.KappaInterval));
        Assert.True(Width(large.Krippendorff.AlphaInterval) < 0.35 * Width(small.Krippendorff.AlphaInterval));
    }

    [Fact]
    public void ReplicatesWhereKappaIsUndefinedAreCountedAndLeftOut()
    {
        // Nine items both call y and one both call x: kappa is 1 whenever defined, and undefined in every
        // replicate that misses the x item (about 0.9^10 = 35% of them).
        var table = Table(XY, ("ann", "xyyyyyyyyy"), ("bo", "xyyyyyyyyy"));

        var pair = AgreementAnalysis.Compute(table, new BootstrapOptions(2000, Seed: 9)).Pairwise[0];

        Assert.Equal(1.0, pair.CohenKappa);
        var interval = pair.CohenKappaInterval!;
        Assert.Equal(2000, interval.Replicates);
        Assert.InRange(interval.UndefinedReplicates, 550, 850);
        Assert.Equal(new Interval(1, 1), interval.Range);
        Assert.Equal(0, pair.ObservedAgreementInterval!.UndefinedReplicates);
    }

    [Fact]
    public void FewerThanAThousandReplicatesAreRefused()
    {
        var table = Table(XY, ("ann", "xy"), ("bo", "xy"));

        Assert.Throws<ArgumentOutOfRangeException>(() => AgreementAnalysis.Compute(table, new BootstrapOptions(999)));
    }

    private static double Width(BootstrapInterval? interval) => interval!.Range!.Value.High - interval.Range.Value.Low;

    /// <summary>Three annotators marking a tag present or absent, each copying a hidden truth (20% present) 85% of the time.</summary>
    private static RatingTable BinaryTable(int items, int seed, int? leaveOut)
    {
        var random = new Random(seed);
        var ratings = new List<Rating>();
        for (var i = 0; i < items; i++)
        {
            var truth = random.NextDouble() < 0.2;
            foreach (var annotator in new[] { "ann", "bo", "cy" })
            {
                var present = random.NextDouble() < 0.85 ? truth : !truth;
                if (!(annotator == "cy" && i == leaveOut))
                {
                    ratings.Add(new Rating(annotator, $"s{i}", present ? "x" : "y"));
                }
            }
        }

        return RatingTable.Create(XY, ratings);
    }

    /// <summary>Three annotators on three categories; each copies a hidden true label with probability <paramref name="agreement"/>.</summary>
    internal static RatingTable SyntheticTable(int items, double agreement, int seed)
    {
        string[] categories = ["a", "b", "c"];
        var random = new Random(seed);
        var ratings = new List<Rating>();
        for (var i = 0; i < items; i++)
        {
            var truth = random.Next(3);
            foreach (var annotator in new[] { "ann", "bo", "cy" })
            {
                var label = random.NextDouble() < agreement ? truth : random.Next(3);
                ratings.Add(new Rating(annotator, $"s{i}", categories[label]));
            }
        }

        return RatingTable.Create(categories, ratings);
    }
}
