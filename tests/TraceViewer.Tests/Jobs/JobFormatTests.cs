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
    public void AJobOverSeveralTracesSaysHowManyInsteadOfTheBaseTrace()
    {
        var judgeTraces = new JudgeSettings { Target = JudgeSettings.Traces };
        Assert.Equal("af-five-criteria on the base responses of 12 traces", JobFormat.What(new JobParameters { Traces = 12, Judge = judgeTraces }, oneTrace: false));
        Assert.Equal("af-five-criteria on the base response of 1 trace", JobFormat.What(new JobParameters { Traces = 1, Judge = judgeTraces }, oneTrace: false));
        Assert.Equal("af-five-criteria on the base responses of the dataset's traces", JobFormat.What(new JobParameters { Judge = judgeTraces }, oneTrace: false));
        Assert.Equal("af-five-criteria on every resample of 3 traces",
            JobFormat.What(new JobParameters { Traces = 3, Judge = new JudgeSettings { Target = JudgeSettings.Resamples } }, oneTrace: false));
        Assert.Equal("positions 0–4 × 2 on 1,200 traces", JobFormat.What(new JobParameters { From = 0, To = 4, N = 2, Traces = 1200 }, oneTrace: false));
        Assert.Equal("positions all × 1 on the dataset's traces", JobFormat.What(new JobParameters(), oneTrace: false));
    }

    [Fact]
    public void AJudgeJobsRuleIsTheOneItsLabelsStore()
    {
        Assert.Equal("majority of the parsed votes: yes when more than half say yes, a tie is no; undetermined when more than half of the votes fail",
            JobFormat.JudgeRule(new JudgeSettings()));
        Assert.Equal("yes when at least a share of 0.4 of the parsed votes say yes; undetermined when more than half of the votes fail",
            JobFormat.JudgeRule(new JudgeSettings { Classifier = "af-four-criteria" }));
        Assert.Equal("yes when more than a share of 0.7 of the parsed votes say yes; undetermined when more than half of the votes fail",
            JobFormat.JudgeRule(new JudgeSettings { Threshold = 0.7 }));
        Assert.Equal("af-four-criteria: yes when at least a share of 0.4 of the parsed votes say yes; undetermined when more than half of the votes fail",
            JobFormat.LabelJudgeRule(new ResampleLabelSettings { AlignmentFaking = "af-four-criteria" }));
    }

    [Fact]
    public void EachCallIsPricedAtItsOwnProviderAndModel()
    {
        var prices = new Dictionary<(string, string), (decimal?, decimal?)>
        {
            [("cheap", "small")] = (1m, 2m),
            [("dear", "judge")] = (10m, 30m),
            [("dear", "big")] = (5m, null),
        };
        (decimal?, decimal?) Prices(string provider, string model) => prices.GetValueOrDefault((provider, model));
        ModelUsage[] usage =
        [
            new("cheap", "small", 1_000_000, 500_000),
            new("dear", "judge", 200_000, 100_000),
            new("cheap", "small", 1_000_000, 0),
            new("dear", "big", 1_000_000, 1_000_000),
            new("unknown", "x", 1_000_000, 1_000_000),
        ];

        // cheap/small: 2M in × $1 + 0.5M out × $2 = $3; dear/judge: 0.2M × $10 + 0.1M × $30 = $5; dear/big: $5 in, no output price.
        Assert.Equal(13.0, JobCost.Dollars(usage, Prices), 9);
        // The same tokens all priced at the first provider's model would be $9.4.
        Assert.Equal(9.4, JobCost.Dollars(usage.Select(u => u with { Provider = "cheap", Model = "small" }), Prices), 9);
    }

    [Fact]
    public void AModelsOwnPricesComeBeforeItsProvidersAndAnItemsOtherCallsAreTakenFromItsTotals()
    {
        var provider = new TraceViewer.Providers.ProviderOptions
        {
            InputPricePerMillion = 1m, OutputPricePerMillion = 2m,
            ModelPrices = [new() { Model = "big", InputPricePerMillion = 8m }],
        };
        Assert.Equal((8m, 2m), provider.PricesOf("big"));
        Assert.Equal((1m, 2m), provider.PricesOf("small"));

        var result = new NothingToWrite { PromptTokens = 100, CompletionTokens = 40, OtherCalls = [new("judge", "j", 30, 10)] };
        Assert.Equal([new ModelUsage("judge", "j", 30, 10), new ModelUsage("loop", "m", 70, 30)], result.Usage("loop", "m"));
    }

    [Fact]
    public void PositionsNameTheRange()
    {
        Assert.Equal("all", JobFormat.Positions(new JobParameters()));
        Assert.Equal("3–7", JobFormat.Positions(new JobParameters { From = 3, To = 7 }));
        Assert.Equal("3–last", JobFormat.Positions(new JobParameters { From = 3 }));
    }
}
