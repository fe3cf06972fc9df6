using System.Net;
using TraceViewer.Outcomes;

namespace TraceViewer.Tests.Datasets;

public sealed class DatasetsPageTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task DatasetsPageListsDatasetsWithLinksToTheirTraces()
    {
        var seed = new TraceSeed { DatasetKey = $"ds/{Guid.NewGuid():N}", DatasetName = "Whistleblowing <scenarios>", Model = "qwq-32b", OutcomeKey = OutcomeRegistry.ContainsWhistleblowing };
        var trace = await TraceSeeder.SeedAsync(app, seed);

        var response = await app.CreateClient().GetAsync("/datasets");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = ComponentRenderer.Parse(await response.Content.ReadAsStringAsync());
        var row = document.QuerySelector($"td[data-dataset-id='{trace.DatasetId}']")!.ParentElement!;
        Assert.Equal(seed.DatasetName, row.QuerySelector("a")!.TextContent);
        Assert.Equal($"/traces?dataset={trace.DatasetId}", row.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains(seed.Model, row.TextContent, StringComparison.Ordinal);
        Assert.Contains(OutcomeRegistry.Get(OutcomeRegistry.ContainsWhistleblowing).Name, row.TextContent, StringComparison.Ordinal);
    }
}
