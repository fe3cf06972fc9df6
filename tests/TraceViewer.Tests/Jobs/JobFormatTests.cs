using TraceViewer.Jobs;

namespace TraceViewer.Tests.Jobs;

public sealed class JobFormatTests
{
    [Theory]
    [InlineData(null, "–")]
    [InlineData(0.4, "1 s")]
    [InlineData(59.2, "1 min 0 s")]
    [InlineData(125.0, "2 min 5 s")]
    [InlineData(3_725.0, "1 h 2 min")]
    [InlineData(double.PositiveInfinity, "–")]
    public void EtaIsRoundedUpToWholeSeconds(double? seconds, string expected) => Assert.Equal(expected, JobFormat.Eta(seconds));

    [Theory]
    [InlineData(null, "–")]
    [InlineData(12.34, "12.3/min")]
    [InlineData(1234.6, "1,235/min")]
    public void RateIsPerMinute(double? rate, string expected) => Assert.Equal(expected, JobFormat.Rate(rate));

    [Theory]
    [InlineData(0, "–")]
    [InlineData(0.00123, "$0.0012")]
    [InlineData(12.345, "$12.35")]
    public void CostIsInDollarsAndDashWithoutPrices(double cost, string expected) => Assert.Equal(expected, JobFormat.Cost(cost));

    [Fact]
    public void WhatNamesTheJudgeAndItsTargetsForAJudgeJob()
    {
        Assert.Equal("positions 1–2 × 3", JobFormat.What(new JobParameters { From = 1, To = 2, N = 3 }));
        Assert.Equal("af-four-criteria on the base trace",
            JobFormat.What(new JobParameters { Judge = new JudgeSettings { Classifier = "af-four-criteria", Target = JudgeSettings.Traces } }));
        Assert.Equal("af-five-criteria on every resample",
            JobFormat.What(new JobParameters { Judge = new JudgeSettings { Target = JudgeSettings.Resamples } }));
        Assert.Equal("af-five-criteria on the resamples at positions 2–last",
            JobFormat.What(new JobParameters { From = 2, Judge = new JudgeSettings { Target = JudgeSettings.Resamples } }));
    }

    [Fact]
    public void PositionsNameTheRange()
    {
        Assert.Equal("all", JobFormat.Positions(new JobParameters()));
        Assert.Equal("3–7", JobFormat.Positions(new JobParameters { From = 3, To = 7 }));
        Assert.Equal("3–last", JobFormat.Positions(new JobParameters { From = 3 }));
    }
}
