using System.Net.Http.Json;
using TraceViewer.Tests.Analyses;
using TraceViewer.Traces;
using TraceViewer.Web;

namespace TraceViewer.Tests.Traces;

public sealed class TraceTierFilterTests(TestApp app) : IClassFixture<TestApp>
{
    private Task<SeededStudy> SeedAsync() => AnalysisSeeder.SeedAsync(app,
        new AnalysisTrace("base", "free", "Query one", true, true),
        new AnalysisTrace("base", "paid", "Query one", false, false),
        new AnalysisTrace("other", "free", "Query two", true, false),
        new AnalysisTrace("other", "paid", "Query two", false, false));

    [Fact]
    public async Task TheApiFiltersByTierAndPromptVariant()
    {
        var study = await SeedAsync();
        var client = app.CreateClient();

        async Task<IEnumerable<int>> IdsAsync(string query) =>
            (await client.GetFromJsonAsync<PagedResult<TraceRow>>($"/api/traces?dataset={study.DatasetId}&sort=newest{query}", FiniteNumbers.Web))!
                .Items.Select(r => r.Id).Order();

        var ids = study.TraceIds;
        Assert.Equal([ids[0], ids[2]], await IdsAsync("&tier=free"));
        Assert.Equal([ids[2], ids[3]], await IdsAsync("&variant=other"));
        Assert.Equal([ids[1]], await IdsAsync("&tier=paid&variant=base"));
        Assert.Empty(await IdsAsync("&tier=none"));
        Assert.Equal(ids.Order(), await IdsAsync("&tier=&variant="));
    }

    [Fact]
    public async Task TheListExportKeepsTheFiltersAndNamesThem()
    {
        var study = await SeedAsync();

        var response = await app.CreateClient().GetAsync($"/api/traces.csv?dataset={study.DatasetId}&tier=paid&variant=other");
        var csv = await response.Content.ReadAsStringAsync();

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{study.TraceIds[3]},", lines[1], StringComparison.Ordinal);
        Assert.Contains("paid-other", response.Content.Headers.ContentDisposition!.FileName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePrerenderedListShowsTheTierAndVariantFiltersFromTheAddress()
    {
        var study = await SeedAsync();

        var document = ComponentRenderer.Parse(await app.CreateClient().GetStringAsync($"/traces?dataset={study.DatasetId}&tier=free&variant=base"));

        Assert.Equal("1", document.QuerySelector(".result-count")!.GetAttribute("data-total"));
        Assert.Equal("free", document.QuerySelector("input[data-filter=tier]")!.GetAttribute("value"));
        Assert.Equal("base", document.QuerySelector("input[data-filter=variant]")!.GetAttribute("value"));
    }
}
