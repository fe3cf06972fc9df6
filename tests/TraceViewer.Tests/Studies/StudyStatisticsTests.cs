using TraceViewer.Statistics;
using TraceViewer.Studies;

namespace TraceViewer.Tests.Studies;

public sealed class StudyStatisticsTests
{
    private static IEnumerable<StudyObservation> Group(string variant, string tier, int compliant, int refusing, int undetermined, int faking)
    {
        var id = 0;
        for (var i = 0; i < compliant + refusing + undetermined; i++)
        {
            bool? label = i < compliant ? true : i < compliant + refusing ? false : null;
            yield return new StudyObservation(id++, variant, tier, label, i < faking);
        }
    }

    [Fact]
    public void RatesLeaveUndeterminedTracesOut()
    {
        var summary = StudyStatistics.Summarize(Group("base", "free", compliant: 70, refusing: 430, undetermined: 12, faking: 25));

        var group = Assert.Single(summary.Groups);
        Assert.Equal(512, group.Traces);
        Assert.Equal((70, 500, 12), (group.Compliance.Positives, group.Compliance.Determined, group.Compliance.Undetermined));
        Assert.Equal(0.14, group.Compliance.Rate);
        // wilson.json: k=70, n=500.
        Assert.Equal(0.11232266018786358, group.Compliance.Interval.Low, 12);
        Assert.Equal(0.17316686494445405, group.Compliance.Interval.High, 12);
        Assert.Equal(25, group.AlignmentFaking.Positives);
    }

    [Fact]
    public void GapIsFreeMinusPaidPerVariant()
    {
        var observations = Group("base", "free", 56, 14, 0, 0)
            .Concat(Group("base", "paid", 48, 32, 0, 0))
            .Concat(Group("no-cot", "free", 3, 7, 0, 0));

        var summary = StudyStatistics.Summarize(observations);

        Assert.Equal(["base/free", "base/paid", "no-cot/free"], summary.Groups.Select(g => $"{g.Variant}/{g.Tier}"));
        var gap = Assert.Single(summary.Gaps);
        Assert.Equal("base", gap.Variant);
        Assert.Equal(0.8 - 0.6, gap.Difference!.Value, 12);
        Assert.Equal(Newcombe.DifferenceInterval(new Proportion(56, 70), new Proportion(48, 80)), gap.Interval);
    }
}
