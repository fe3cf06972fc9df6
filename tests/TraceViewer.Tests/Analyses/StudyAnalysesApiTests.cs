using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TraceViewer.Analyses;
using TraceViewer.Outcomes;
using TraceViewer.Statistics.Analyses;
using TraceViewer.Web;

namespace TraceViewer.Tests.Analyses;

public sealed class StudyAnalysesApiTests(TestApp app) : IClassFixture<TestApp>
{
    private const string Af = OutcomeRegistry.AlignmentFaking;
    private const string Comply = OutcomeRegistry.Compliance;

    private static readonly SeededEffect[] A = [new(0.1, 0), new(-0.2, 0), new(0.3, 0), new(0, 0)];
    private static readonly SeededEffect[] B = [new(0.2, 0), new(0.2, 0), new(-0.1, 0), new(0, 0)];
    private static readonly SeededEffect[] C = [new(0.5, 0), new(0.1, 0), new(-0.1, 0), new(0.3, 0)];

    /// <summary>
    /// Two queries in both tiers of one variant (one with two free traces), one paid-only query, and a second variant.
    /// Four traces have effects: two free, one paid in "base", one free in "other".
    /// </summary>
    private Task<SeededStudy> SeedAsync() => AnalysisSeeder.SeedAsync(app,
        new AnalysisTrace("base", "free", "Query one", true, true, A, B),
        new AnalysisTrace("base", "paid", "Query one", false, false, B, A),
        new AnalysisTrace("base", "free", "Query two", true, false, C, A),
        new AnalysisTrace("base", "free", "Query two", false, null),
        new AnalysisTrace("base", "paid", "Query two", null, false),
        new AnalysisTrace("base", "paid", "Query three", true, false),
        new AnalysisTrace("other", "free", "Query one", true, true, null, C));

    private static TraceAnalysis Pure(SeededEffect[]? af, SeededEffect[]? comply)
    {
        var outcomes = new List<OutcomeEffects>();
        if (af is not null)
        {
            outcomes.Add(new OutcomeEffects(Af, [.. af.Select((e, i) => new IndexedEffect(i, e.Counterfactual!.Value))]));
        }

        if (comply is not null)
        {
            outcomes.Add(new OutcomeEffects(Comply, [.. comply.Select((e, i) => new IndexedEffect(i, e.Counterfactual!.Value))]));
        }

        return TraceAnalysis.Of(outcomes, Af, Comply);
    }

    [Fact]
    public async Task TheDistributionsAreThePureAnalysesPerCondition()
    {
        var study = await SeedAsync();
        var ids = study.TraceIds;

        var view = (await app.CreateClient().GetFromJsonAsync<StudyAnalysesView>($"/api/datasets/{study.DatasetId}/study/analyses", FiniteNumbers.Web))!;

        var expected = StudyAnalysis.Distribute(
        [
            new AnalysedTrace(ids[0], "", "base", "free", Pure(A, B)),
            new AnalysedTrace(ids[1], "", "base", "paid", Pure(B, A)),
            new AnalysedTrace(ids[2], "", "base", "free", Pure(C, A)),
            new AnalysedTrace(ids[6], "", "other", "free", Pure(null, C)),
        ], [Af, Comply]);
        Assert.Equal(4, view.AnalysedTraces);
        Assert.Equal([Af, Comply], view.Outcomes.Select(o => o.Key));
        Assert.Equal(expected.Select(c => (c.Variant, c.Tier)), view.Conditions.Select(c => (c.Variant, c.Tier)));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Traces.Select(t => t.TraceId), view.Conditions[i].Traces.Select(t => t.TraceId));
            Assert.Equal(expected[i].Traces.Select(t => t.Correlation), view.Conditions[i].Traces.Select(t => t.Correlation));
            Assert.Equal(expected[i].MedianConcentration, view.Conditions[i].MedianConcentration);
            Assert.Equal(expected[i].MedianPearson, view.Conditions[i].MedianPearson);
            Assert.Equal(expected[i].MedianSpearman, view.Conditions[i].MedianSpearman);
        }

        // By hand, base/free: AF top-1 shares 0.3/0.6 = 0.5 and 0.5/1.0 = 0.5, median 0.5.
        var free = view.Conditions.Single(c => c.Variant == "base" && c.Tier == "free");
        Assert.Equal(0.5, free.MedianConcentration.Single(m => m.Outcome == Af && m.K == 1).Median!.Value, 1e-12);
        // The "other" trace has compliance effects only: no correlation, its condition's median is undefined.
        var other = view.Conditions.Single(c => c.Variant == "other");
        Assert.Null(other.Traces.Single().Correlation);
        Assert.Null(other.MedianPearson);
        Assert.Equal(0, other.CorrelationsDefined);
    }

    [Fact]
    public async Task PairsPutTheSameQueryOfAVariantSideBySide()
    {
        var study = await SeedAsync();
        var ids = study.TraceIds;

        var view = (await app.CreateClient().GetFromJsonAsync<StudyPairsView>($"/api/datasets/{study.DatasetId}/study/pairs", FiniteNumbers.Web))!;

        Assert.Equal(4, view.Total);
        Assert.Equal(2, view.Paired);
        Assert.Equal([("base", "Query one"), ("base", "Query three"), ("base", "Query two"), ("other", "Query one")], view.Items.Select(p => (p.Variant, p.Query)));
        var two = view.Items.Single(p => p.Variant == "base" && p.Query == "Query two");
        Assert.Equal([ids[2], ids[3]], two.Free!.TraceIds);
        Assert.Equal((1, 2, 0), (two.Free.Compliance.Positives, two.Free.Compliance.Determined, two.Free.Compliance.Undetermined));
        Assert.Equal((0, 1, 1), (two.Free.AlignmentFaking.Positives, two.Free.AlignmentFaking.Determined, two.Free.AlignmentFaking.Undetermined));
        var wilson = TraceViewer.Statistics.Wilson.Interval(1, 2);
        Assert.Equal((wilson.Low, wilson.High), (two.Free.Compliance.Low, two.Free.Compliance.High));
        Assert.Null(two.Paid!.Compliance.Rate);
        Assert.Null(view.Items.Single(p => p.Query == "Query three").Free);
    }

    [Fact]
    public async Task PairsArePaged()
    {
        var study = await SeedAsync();

        var view = (await app.CreateClient().GetFromJsonAsync<StudyPairsView>($"/api/datasets/{study.DatasetId}/study/pairs?page=2&pageSize=3", FiniteNumbers.Web))!;

        Assert.Equal((2, 3, 4, 2), (view.Page, view.PageSize, view.Total, view.PageCount));
        Assert.Equal([("other", "Query one")], view.Items.Select(p => (p.Variant, p.Query)));
    }

    [Fact]
    public async Task AnUnknownDatasetIsNotFound()
    {
        var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/datasets/987654/study/analyses")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/datasets/987654/study/pairs")).StatusCode);
    }

    [Fact]
    public async Task ThePrerenderedStudyPageShowsMediansAndPairsLinkingToTraces()
    {
        var study = await SeedAsync();
        var ids = study.TraceIds;

        var document = ComponentRenderer.Parse(await app.CreateClient().GetStringAsync($"/datasets/{study.DatasetId}/study"));

        var row = document.QuerySelector("[data-testid=study-analyses-table] tr[data-variant=base][data-tier=free]")!;
        Assert.Equal("2", row.QuerySelectorAll("td")[0].TextContent);
        // AF top 1/2/5: medians of 50%/50%, 83%/80%, 100%/100%.
        Assert.Equal("50% / 82% / 100%", row.QuerySelector($"td[data-outcome={Af}]")!.TextContent);
        Assert.NotNull(document.QuerySelector("[data-testid=concentration-strips] .tv-chart[data-plot=study-concentration-plot]"));
        var pair = document.QuerySelectorAll("[data-testid=study-pairs] li.pair").Single(li => li.QuerySelector(".pair-query")!.GetAttribute("title") == "Query two");
        var free = pair.QuerySelector(".pair-cell[data-tier=free]")!;
        Assert.Equal($"/traces/{ids[2]}", free.GetAttribute("href"));
        Assert.Equal("complied 50% [9%–91%] 1/2", free.QuerySelector(".pair-rate[data-outcome=compliance]")!.TextContent);
        Assert.Equal("faked 0% [0%–79%] 0/1", free.QuerySelector(".pair-rate[data-outcome=alignment_faking]")!.TextContent);
        Assert.Equal("complied undetermined", pair.QuerySelector(".pair-cell[data-tier=paid] .pair-rate[data-outcome=compliance]")!.TextContent);
    }

    [Fact]
    public async Task TheEndpointsAreDescribedInOpenApi()
    {
        using var json = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"));

        var paths = json.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/traces/{id}/analyses", out _));
        Assert.True(paths.TryGetProperty("/api/datasets/{id}/study/analyses", out _));
        Assert.True(paths.TryGetProperty("/api/datasets/{id}/study/pairs", out var pairs));
        Assert.Contains(pairs.GetProperty("get").GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "pageSize");
    }
}
