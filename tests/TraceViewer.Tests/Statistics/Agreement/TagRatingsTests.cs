using TraceViewer.Statistics.Agreement;

namespace TraceViewer.Tests.Statistics.Agreement;

public sealed class TagRatingsTests
{
    private static readonly string[] Taxonomy = ["training_objective", "monitoring", "rlhf"];

    private static IReadOnlyList<string> Labels(RatingTable table, string annotator)
    {
        var a = table.IndexOfAnnotator(annotator);
        return [.. Enumerable.Range(0, table.Items.Count).Select(i => table.Label(i, a) == RatingTable.Missing ? "-" : table.Categories[table.Label(i, a)])];
    }

    [Fact]
    public void EveryTagBecomesABinaryTableOverEveryFinishedItem()
    {
        FinishedItem[] finished =
        [
            new("ann", "s0", ["monitoring"]),
            new("ann", "s1", []),
            new("ann", "s2", ["monitoring", "rlhf"]),
            new("bo", "s0", ["monitoring", "training_objective"]),
            new("bo", "s1", []),
        ];

        var tables = TagRatings.PerTag(Taxonomy, finished);

        Assert.Equal(Taxonomy, tables.Select(t => t.Tag));
        Assert.All(tables, t => Assert.Equal(["present", "absent"], t.Table.Categories));
        Assert.All(tables, t => Assert.Equal(["s0", "s1", "s2"], t.Table.Items));
        var monitoring = tables[1].Table;
        Assert.Equal(["present", "absent", "present"], Labels(monitoring, "ann"));
        Assert.Equal(["present", "absent", "-"], Labels(monitoring, "bo"));
        Assert.Equal(["absent", "absent", "absent"], Labels(tables[0].Table, "ann"));
        Assert.Equal(["present", "absent", "-"], Labels(tables[0].Table, "bo"));
    }

    [Fact]
    public void AnItemFinishedWithoutTagsCountsTowardsAgreementOnEveryTag()
    {
        FinishedItem[] finished = [new("ann", "s0", []), new("bo", "s0", []), new("ann", "s1", ["rlhf"]), new("bo", "s1", ["rlhf"])];

        var tables = TagRatings.PerTag(Taxonomy, finished);

        var rlhf = AgreementAnalysis.Compute(tables[2].Table).Pairwise[0];
        Assert.Equal((2, 1.0, 1.0), (rlhf.N, rlhf.ObservedAgreement, rlhf.CohenKappa));
        var monitoring = AgreementAnalysis.Compute(tables[1].Table).Pairwise[0];
        Assert.Equal((2, 1.0), (monitoring.N, monitoring.ObservedAgreement));
        Assert.Null(monitoring.CohenKappa);
    }

    [Fact]
    public void ATagOutsideTheTaxonomyIsAnError()
    {
        var error = Assert.Throws<ArgumentException>(() => TagRatings.PerTag(Taxonomy, [new("ann", "s0", ["harm"])]));

        Assert.Contains("'harm'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnItemFinishedTwiceByOneAnnotatorIsAnError()
    {
        Assert.Throws<ArgumentException>(() => TagRatings.PerTag(Taxonomy, [new("ann", "s0", []), new("ann", "s0", ["rlhf"])]));
    }

    [Fact]
    public void ASingleChoiceTaxonomyIsOneNominalVariable()
    {
        FinishedItem[] finished = [new("ann", "t0", ["rlhf"]), new("bo", "t0", ["monitoring"]), new("ann", "t1", []), new("bo", "t1", ["rlhf"])];

        var withoutNone = TagRatings.SingleChoice(Taxonomy, finished);
        var withNone = TagRatings.SingleChoice(Taxonomy, finished, noTagCategory: "none");

        Assert.Equal(Taxonomy, withoutNone.Categories);
        Assert.Equal(["rlhf", "-"], Labels(withoutNone, "ann"));
        Assert.Equal([.. Taxonomy, "none"], withNone.Categories);
        Assert.Equal(["rlhf", "none"], Labels(withNone, "ann"));
        Assert.Equal(["monitoring", "rlhf"], Labels(withNone, "bo"));
    }

    [Fact]
    public void TwoTagsInASingleChoiceTaxonomyAreAnError()
    {
        var error = Assert.Throws<ArgumentException>(() => TagRatings.SingleChoice(Taxonomy, [new("ann", "t0", ["rlhf", "monitoring"])]));

        Assert.Contains("single-choice", error.Message, StringComparison.Ordinal);
    }
}
