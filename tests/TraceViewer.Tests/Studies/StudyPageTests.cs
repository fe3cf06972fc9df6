using AngleSharp.Html.Parser;
using TraceViewer.Datasets;
using TraceViewer.Outcomes;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Studies;

public sealed class StudyPageTests(TestApp app) : IClassFixture<TestApp>
{

    private async Task<int> SeedAsync()
    {
        await using var db = app.CreateDbContext();
        var dataset = new Dataset { Key = $"af-{Guid.NewGuid():N}", Name = "AF study", Model = "test-model", Kind = "alignment-faking", SourceFormat = "test" };
        var compliance = await db.GetOrAddAsync(OutcomeRegistry.Compliance, CancellationToken.None);
        var faking = await db.GetOrAddAsync(OutcomeRegistry.AlignmentFaking, CancellationToken.None);
        db.Add(dataset);
        await db.SaveChangesAsync();

        // free: 5 of 10 comply, 1 fakes alignment; paid: 1 of 10 complies; one paid trace undetermined.
        for (var i = 0; i < 21; i++)
        {
            var tier = i < 10 ? "free" : "paid";
            bool? compliant = i < 10 ? i < 5 : i == 10 ? true : i == 20 ? null : false;
            var trace = new Trace
            {
                DatasetId = dataset.Id, ExternalKey = $"t{i}", Title = $"query {i} ({tier})", Model = "test-model",
                SourceFormat = "test", Tier = tier, PromptVariant = "baseline",
            };
            db.Add(trace);
            await db.SaveChangesAsync();
            db.Add(new TraceLabel { TraceId = trace.Id, OutcomeId = compliance.Id, IsPositive = compliant });
            db.Add(new TraceLabel { TraceId = trace.Id, OutcomeId = faking.Id, IsPositive = i == 0 });
        }

        await db.SaveChangesAsync();
        return dataset.Id;
    }

    [Fact]
    public async Task OverviewShowsWilsonIntervalsForTheCounts()
    {
        var id = await SeedAsync();

        var html = await app.CreateClient().GetStringAsync($"/datasets/{id}/study");
        var doc = await new HtmlParser().ParseDocumentAsync(html);

        var free = doc.QuerySelector("tr.study-group[data-tier=free]")!;
        // wilson.json: k=5, n=10 -> [0.236593090512564, 0.763406909487436].
        Assert.Contains("50.0% [23.7%, 76.3%]", free.QuerySelectorAll("td.rate")[0].TextContent, StringComparison.Ordinal);
        var paid = doc.QuerySelector("tr.study-group[data-tier=paid]")!;
        Assert.Contains("1 / 10 (+1 undetermined)", paid.TextContent, StringComparison.Ordinal);
        Assert.Contains("40.0%", doc.QuerySelector("tr.study-gap")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(doc.QuerySelector("#study-chart"));
    }

    [Fact]
    public async Task ClickingABarListsItsTraces()
    {
        var id = await SeedAsync();

        var html = await app.CreateClient().GetStringAsync($"/datasets/{id}/study/traces?variant=baseline&tier=free");
        var doc = await new HtmlParser().ParseDocumentAsync(html);

        Assert.Equal(10, doc.QuerySelectorAll("tr.study-trace").Length);
        Assert.All(doc.QuerySelectorAll("tr.study-trace a"), a => Assert.EndsWith("(free)", a.TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownDatasetIsNotFound()
    {
        var response = await app.CreateClient().GetAsync("/datasets/987654/study");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
