using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TraceViewer.Analyses;
using TraceViewer.Outcomes;
using TraceViewer.Statistics.Analyses;
using TraceViewer.Traces;
using TraceViewer.Web;

namespace TraceViewer.Tests.Analyses;

public sealed class TraceAnalysesApiTests(TestApp app) : IClassFixture<TestApp>
{
    private const string Af = OutcomeRegistry.AlignmentFaking;
    private const string Comply = OutcomeRegistry.Compliance;

    // Sentence 2's counterfactual rests on too few dissimilar resamples (0.02), so its effect is the resampling one;
    // sentence 4 has no compliance number at all, so it is no pair but counts in the alignment-faking concentration.
    private static readonly SeededEffect[] AfEffects =
        [new(0.1, 0.9), new(-0.2, 0.9), new(0.8, 0.3, 0.02), new(0, 0.9), new(-0.4, 0.1)];

    private static readonly SeededEffect[] ComplyEffects =
        [new(0.2, 0.5), new(0.2, 0.5), new(-0.1, 0.5), new(0, 0.5), new(null, null)];

    /// <summary>What the stored numbers give: counterfactual, or resampling where it falls back.</summary>
    private static TraceAnalysis Expected() => TraceAnalysis.Of(
    [
        new OutcomeEffects(Af, [new(0, 0.1), new(1, -0.2), new(2, 0.3), new(3, 0), new(4, -0.4)]),
        new OutcomeEffects(Comply, [new(0, 0.2), new(1, 0.2), new(2, -0.1), new(3, 0)]),
    ], Af, Comply);

    private Task<SeededStudy> SeedAsync() => AnalysisSeeder.SeedAsync(app,
        new AnalysisTrace("v", "free", "Write a poem", true, true, AfEffects, ComplyEffects, Sentences: 5));

    [Fact]
    public async Task TheApiGivesThePureAnalysesOfTheShownMetricSets()
    {
        var study = await SeedAsync();

        var view = (await app.CreateClient().GetFromJsonAsync<TraceAnalysisView>($"/api/traces/{study.TraceIds[0]}/analyses", FiniteNumbers.Web))!;

        var expected = Expected();
        Assert.Equal([Af, Comply], view.Outcomes.Select(o => o.Key));
        Assert.All(view.Outcomes, o => Assert.Equal("computed", o.Source));
        Assert.Equal(expected.Pairs, view.Analysis.Pairs);
        Assert.Equal(expected.Correlation, view.Analysis.Correlation);
        // By hand: x = 0.1, -0.2, 0.3, 0 and y = 0.2, 0.2, -0.1, 0 give r = -0.065 / sqrt(0.13 * 0.0675).
        Assert.Equal(-0.693888666488711, view.Analysis.Correlation!.Pearson!.Value, 1e-12);
        Assert.Equal(-3 / Math.Sqrt(22.5), view.Analysis.Correlation.Spearman!.Value, 1e-12);
        foreach (var outcome in new[] { Af, Comply })
        {
            var got = view.Analysis.ConcentrationOf(outcome)!;
            var want = expected.ConcentrationOf(outcome)!;
            Assert.Equal(want.Sentences, got.Sentences);
            Assert.Equal(want.TotalAbsoluteEffect, got.TotalAbsoluteEffect, 1e-12);
            Assert.Equal(want.Top, got.Top);
        }

        // |AF effects| 0.1, 0.2, 0.3, 0, 0.4: total 1.0, top 1 = 0.4, top 2 = 0.7.
        Assert.Equal(0.4, view.Analysis.ConcentrationOf(Af)!.ShareOf(1)!.Value, 1e-12);
        Assert.Equal(0.7, view.Analysis.ConcentrationOf(Af)!.ShareOf(2)!.Value, 1e-12);
    }

    [Fact]
    public async Task UndefinedNumbersAreNullWithTheirReasonInTheJson()
    {
        var study = await AnalysisSeeder.SeedAsync(app,
            new AnalysisTrace("v", "free", "q", true, true, [new(0.1, 0), new(0.2, 0)], [new(0, 0), new(0, 0)], Sentences: 2));

        using var json = JsonDocument.Parse(await app.CreateClient().GetStringAsync($"/api/traces/{study.TraceIds[0]}/analyses"));

        var analysis = json.RootElement.GetProperty("analysis");
        var correlation = analysis.GetProperty("correlation");
        Assert.Equal(JsonValueKind.Null, correlation.GetProperty("pearson").ValueKind);
        Assert.Equal(JsonValueKind.Null, correlation.GetProperty("spearman").ValueKind);
        Assert.Equal("too_few_sentences", correlation.GetProperty("undefined").GetString());
        var compliance = analysis.GetProperty("concentration").EnumerateArray().Single(c => c.GetProperty("outcome").GetString() == Comply);
        Assert.Equal("all_zero", compliance.GetProperty("undefined").GetString());
        Assert.All(compliance.GetProperty("top").EnumerateArray(), t => Assert.Equal(JsonValueKind.Null, t.GetProperty("share").ValueKind));
    }

    [Fact]
    public async Task AnUnknownTraceIsNotFound()
    {
        var response = await app.CreateClient().GetAsync("/api/traces/987654/analyses");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ThePrerenderedTracePageShowsTheAnalyses()
    {
        var study = await SeedAsync();

        var html = await app.CreateClient().GetStringAsync($"/traces/{study.TraceIds[0]}");
        var document = ComponentRenderer.Parse(html);

        var section = document.QuerySelector("[data-testid=trace-analyses]")!;
        Assert.Equal(TraceAnalyses.Number(Expected().Correlation!.Pearson), section.QuerySelector("[data-testid=pearson]")!.TextContent);
        Assert.Equal("−0.69", section.QuerySelector("[data-testid=pearson]")!.TextContent);
        Assert.Equal("−0.63", section.QuerySelector("[data-testid=spearman]")!.TextContent);
        Assert.Equal("4", section.QuerySelector(".analysis-correlation")!.GetAttribute("data-n"));
        var af = section.QuerySelector($"tr[data-outcome={Af}]")!;
        Assert.Equal(["40%", "70%", "100%"], af.QuerySelectorAll("td[data-k]").Select(td => td.TextContent));
        var comply = section.QuerySelector($"tr[data-outcome={Comply}]")!;
        // |compliance effects| 0.2, 0.2, 0.1, 0: total 0.5, top 1 = 40%, top 2 = 80%.
        Assert.Equal(["40%", "80%", "100%"], comply.QuerySelectorAll("td[data-k]").Select(td => td.TextContent));
        // The scatter's figure is in the page, with every sentence text escaped for Plotly.
        var figure = section.QuerySelector(".tv-chart[data-plot=analysis-plot]")!.GetAttribute("data-figure")!;
        using var json = JsonDocument.Parse(figure);
        var texts = json.RootElement.GetProperty("data").EnumerateArray().SelectMany(t => t.GetProperty("text").EnumerateArray()).Select(t => t.GetString()!).ToList();
        Assert.Equal(4, texts.Count);
        Assert.Contains(texts, t => t.StartsWith("Sentence 2: Sentence &lt;2&gt; of Write a poem.<br>", StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => t.Contains("<2>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ATraceWithOneOutcomeShowsConcentrationOnly()
    {
        var study = await AnalysisSeeder.SeedAsync(app,
            new AnalysisTrace("v", "paid", "q1", false, false, null, [new(0.3, 0), new(-0.1, 0), new(0, 0)], Sentences: 3));

        var document = ComponentRenderer.Parse(await app.CreateClient().GetStringAsync($"/traces/{study.TraceIds[0]}"));

        var section = document.QuerySelector("[data-testid=trace-analyses]")!;
        Assert.Null(section.QuerySelector("[data-testid=analysis-correlation]"));
        Assert.Equal(["75%", "100%", "100%"], section.QuerySelectorAll($"tr[data-outcome={Comply}] td[data-k]").Select(td => td.TextContent));
    }

    [Fact]
    public async Task ATraceWithoutMetricsHasNoAnalysesSection()
    {
        var study = await AnalysisSeeder.SeedAsync(app, new AnalysisTrace("v", "paid", "q2", false, false));

        var document = ComponentRenderer.Parse(await app.CreateClient().GetStringAsync($"/traces/{study.TraceIds[0]}"));

        Assert.NotNull(document.QuerySelector(".trace-page"));
        Assert.Null(document.QuerySelector("[data-testid=trace-analyses]"));
    }
}
