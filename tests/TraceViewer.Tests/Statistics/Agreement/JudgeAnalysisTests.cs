using TraceViewer.Statistics;
using TraceViewer.Statistics.Agreement;

namespace TraceViewer.Tests.Statistics.Agreement;

public sealed class JudgeAnalysisTests
{
    private static readonly string[] Verdicts = ["a", "n"];

    // a = alignment faking, n = not. Items 0-7: three people with a clear majority (a a n n n n a a);
    // item 8 splits the two people who rated it; item 9 has no person; item 10 no judge verdict.
    private static RatingTable Table() => AgreementAnalysisTests.Table(
        Verdicts,
        ("ann", "aaannnaa" + "n" + "." + "a"),
        ("bo", "aanannna" + "a" + "." + "a"),
        ("cy", "annnnnaa" + "." + "." + "n"),
        ("judge", "anannaaa" + "a" + "a" + "."));

    [Fact]
    public void PrecisionAndRecallAreCountedAgainstThePeoplesMajority()
    {
        var result = JudgeAnalysis.Compute(Table(), "judge", "a");

        var versus = result.VersusMajority;
        // Judge a n a n n a a a against a a n n n n a a: TP at 0, 6, 7; FP at 2, 5; FN at 1; TN at 3, 4.
        Assert.Equal((8, 1, 1, 1), (versus.Compared, versus.Tied, versus.WithoutPeople, versus.NotJudged));
        Assert.Equal((3, 2, 1, 2), (versus.TruePositives, versus.FalsePositives, versus.FalseNegatives, versus.TrueNegatives));
        Assert.Equal(0.6, versus.Precision);
        Assert.Equal(0.75, versus.Recall);
        Assert.Equal(5.0 / 8, versus.Agreement);
    }

    [Fact]
    public void TheJudgeJoinsTheSameStatisticsAsOneMoreAnnotator()
    {
        var table = Table();

        var result = JudgeAnalysis.Compute(table, "judge", "a");

        Assert.Equal(["ann", "bo", "cy"], result.People.Annotators);
        Assert.Equal(["ann", "bo", "cy", "judge"], result.WithJudge.Annotators);
        Assert.Equal(
            AgreementAnalysis.Compute(table).Pairwise.Select(p => (p.A, p.B, p.CohenKappa)),
            result.WithJudge.Pairwise.Select(p => (p.A, p.B, p.CohenKappa)));
        Assert.Equal(3, result.People.Pairwise.Count);
        Assert.Equal(6, result.WithJudge.Pairwise.Count);
        Assert.Equal(3, result.People.Fleiss!.Raters);
        Assert.Equal(4, result.WithJudge.Fleiss!.Raters);
    }

    [Fact]
    public void AJudgeThatNeverSaysPositiveHasUndefinedPrecision()
    {
        var table = AgreementAnalysisTests.Table(Verdicts, ("ann", "ana"), ("bo", "ann"), ("judge", "nnn"));

        var versus = JudgeAnalysis.Compute(table, "judge", "a").VersusMajority;

        Assert.Null(versus.Precision);
        Assert.Equal(0.0, versus.Recall);
    }

    [Fact]
    public void PeopleWhoNeverSayPositiveLeaveRecallUndefined()
    {
        var table = AgreementAnalysisTests.Table(Verdicts, ("ann", "nnn"), ("bo", "nnn"), ("judge", "ann"));

        var versus = JudgeAnalysis.Compute(table, "judge", "a", new BootstrapOptions(1000)).VersusMajority;

        Assert.Equal(0.0, versus.Precision);
        Assert.Null(versus.Recall);
        Assert.Equal(1000, versus.RecallInterval!.UndefinedReplicates);
        Assert.Null(versus.RecallInterval.Range);
    }

    [Fact]
    public void ItemsWithTooFewPeopleAreNotCompared()
    {
        var result = JudgeAnalysis.Compute(Table(), "judge", "a", minimumPeople: 3);

        // Items 0-7 have three people; 8 has two and 9 none.
        Assert.Equal((8, 0, 2), (result.VersusMajority.Compared, result.VersusMajority.Tied, result.VersusMajority.WithoutPeople));
    }

    [Fact]
    public void UnknownJudgeOrCategoryIsAnError()
    {
        Assert.Throws<ArgumentException>(() => JudgeAnalysis.Compute(Table(), "nobody", "af"));
        Assert.Throws<ArgumentException>(() => JudgeAnalysis.Compute(Table(), "judge", "maybe"));
    }

    [Fact]
    public void PrecisionAndRecallGetSeededIntervals()
    {
        var first = JudgeAnalysis.Compute(Table(), "judge", "a", new BootstrapOptions(1000, Seed: 1)).VersusMajority;
        var again = JudgeAnalysis.Compute(Table(), "judge", "a", new BootstrapOptions(1000, Seed: 1)).VersusMajority;

        Assert.Equal(first.PrecisionInterval, again.PrecisionInterval);
        Assert.Equal(first.RecallInterval, again.RecallInterval);
        Assert.True(first.PrecisionInterval!.Range!.Value.Contains(first.Precision!.Value));
        Assert.True(first.RecallInterval!.Range!.Value.Contains(first.Recall!.Value));
    }
}
