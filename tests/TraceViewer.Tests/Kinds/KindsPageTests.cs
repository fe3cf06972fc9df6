using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using TraceViewer.Kinds;

namespace TraceViewer.Tests.Kinds;

/// <summary>The page as the server prerenders it: numbers, links and empty states are in the HTML before any script runs.</summary>
public sealed class KindsPageTests(TestApp app) : IClassFixture<TestApp>
{
    private async Task<IDocument> GetAsync(string url)
    {
        var response = await app.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ComponentRenderer.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ThePrerenderedTableHasTheApisNumbersAndEachTagLinksToItsSentences()
    {
        var study = await KindsSeeder.SeedAsync(app, "kinds/page", traces: 5, sentences: 7, seed: 21);
        var view = (await app.CreateClient().GetFromJsonAsync<KindsView>($"/api/kinds?dataset={study.DatasetId}", JsonSerializerOptions.Web))!;

        var document = await GetAsync($"/kinds?dataset={study.DatasetId}");

        Assert.Equal("Which kinds of sentences matter", document.QuerySelector("h1")!.TextContent.Trim());
        Assert.NotNull(document.QuerySelector("[data-testid=kinds-chart] .tv-chart[role=img]"));
        Assert.Null(document.QuerySelector("[data-testid=kinds-empty]"));
        var plan = view.Find("plan_generation")!;
        var cell = document.QuerySelector("td[data-tag=plan_generation]")!;
        var row = cell.ParentElement!;
        Assert.Equal($"{plan.Tagged.Sentences} ({plan.Tagged.Traces})", row.QuerySelector("td.counts")!.TextContent.Trim());
        var format = KindsFormat.For(view);
        Assert.Equal(format.Number(plan.Tagged.MeanSigned.Value), row.QuerySelector("td.signed .value")!.TextContent.Trim());
        Assert.Equal(KindsFormat.Interval(plan.Tagged.MeanSigned, format.Number), row.QuerySelector("td.signed .interval")!.TextContent.Trim());
        Assert.Equal($"/kinds?dataset={study.DatasetId}&outcome=is_correct&taxonomy=Thought%20Anchors%20functions&tag=plan_generation",
            cell.QuerySelector("a.tag-link")!.GetAttribute("href"));
        Assert.Equal(view.Rows.Select(r => r.Tag), document.QuerySelectorAll("td[data-tag]").Select(td => td.GetAttribute("data-tag")));
        Assert.StartsWith("/api/kinds.csv?dataset=", document.QuerySelector("[data-testid=kinds-csv]")!.GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOpenTagListsItsSentencesStrongestFirstWithDeepLinks()
    {
        var study = await KindsSeeder.SeedAsync(app, "kinds/open", traces: 4, sentences: 6, seed: 8);
        var tagged = study.Sentences
            .Where(s => study.Finished.Single(f => f.Item == s.Item).Tags.Contains("self_checking"))
            .ToList();

        var document = await GetAsync($"/kinds?dataset={study.DatasetId}&tag=self_checking");

        var list = document.QuerySelector("[data-testid=kinds-sentences]")!;
        Assert.Equal("self_checking", list.GetAttribute("data-tag"));
        var items = list.QuerySelectorAll("li.kinds-sentence");
        Assert.Equal(tagged.Count, items.Length);
        var strongest = tagged.MaxBy(s => Math.Abs(s.Effect))!;
        var trace = study.Traces.Single(t => t.TraceId.ToString(System.Globalization.CultureInfo.InvariantCulture) == strongest.Trace);
        var sentence = trace.Sentences.Single(s => s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == strongest.Item);
        var first = items[0].QuerySelector("a.sentence-link")!;
        Assert.Equal($"/traces/{trace.TraceId}/sentences/{sentence.Index}", first.GetAttribute("href"));
        Assert.Equal(sentence.Text, first.TextContent);
        var format = KindsFormat.For(tagged.Select(s => (double?)s.Effect), tagged.Select(s => (double?)s.Effect));
        Assert.Equal(format.Number(strongest.Effect), items[0].QuerySelector(".effect")!.TextContent.Trim());
        Assert.Equal("true", document.QuerySelector("td[data-tag=self_checking] a.tag-link")!.GetAttribute("aria-current"));
    }

    [Fact]
    public async Task WithoutMetricsOrTagsThePageExplainsInsteadOfDrawingAnEmptyChart()
    {
        var bare = await KindsSeeder.SeedAsync(app, "kinds/page-no-metrics", traces: 1, sentences: 3);
        await KindsSeeder.DropMetricsAsync(app, bare);
        var study = await KindsSeeder.SeedAsync(app, "kinds/page-no-tags", traces: 1, sentences: 3);

        var noMetrics = await GetAsync($"/kinds?dataset={bare.DatasetId}");
        var noTags = await GetAsync($"/kinds?dataset={study.DatasetId}&taxonomy=Alignment-faking%20reasoning");

        Assert.Contains("has per-sentence metrics for Correct answer", noMetrics.QuerySelector("[data-testid=kinds-empty]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("carries a tag of \"Alignment-faking reasoning\"", noTags.QuerySelector("[data-testid=kinds-empty]")!.TextContent, StringComparison.Ordinal);
        Assert.All([noMetrics, noTags], d =>
        {
            Assert.Null(d.QuerySelector("[data-testid=kinds-chart]"));
            Assert.Null(d.QuerySelector("[data-testid=kinds-table]"));
            Assert.NotNull(d.QuerySelector("[data-testid=kinds-filters]"));
        });
    }

    [Fact]
    public async Task TheDatasetsPageLinksToTheKindsOfEachDataset()
    {
        var study = await KindsSeeder.SeedAsync(app, "kinds/linked", traces: 1, sentences: 2);

        var document = await GetAsync("/datasets");

        var cell = document.QuerySelector($"td[data-dataset-id='{study.DatasetId}']")!.ParentElement!;
        Assert.Equal($"/kinds?dataset={study.DatasetId}", cell.QuerySelector("a.kinds-link")!.GetAttribute("href"));
    }
}
