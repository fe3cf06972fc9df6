using Bunit;
using TraceViewer.Datasets;
using TraceViewer.Outcomes;
using TraceViewer.Tests.Studies;

namespace TraceViewer.Tests.Datasets;

public sealed class DatasetsPageComponentTests(TestApp app) : PageComponentTests(app), IClassFixture<TestApp>
{
    [Fact]
    public async Task EveryDatasetIsARowWithItsTracesLinkAndHostileNamesStayText()
    {
        var key = $"ds/{Guid.NewGuid():N}";
        const string name = "Blackmail <img src=x onerror=\"window.__pwned = 1\">";
        var trace = await TraceSeeder.SeedAsync(App, new TraceSeed { DatasetKey = key, DatasetName = name, Model = "qwq-32b", OutcomeKey = OutcomeRegistry.ContainsBlackmail });

        var page = Render<DatasetsPage>();

        var row = page.WaitForElement($"td[data-dataset-id='{trace.DatasetId}']").ParentElement!;
        Assert.Equal(name, row.QuerySelector("a.dataset-name")!.TextContent);
        Assert.Equal($"/traces?dataset={trace.DatasetId}", row.QuerySelector("a.dataset-name")!.GetAttribute("href"));
        Assert.Equal(key, row.QuerySelector(".dataset-key")!.TextContent);
        Assert.Equal(OutcomeRegistry.Get(OutcomeRegistry.ContainsBlackmail).Name, row.QuerySelector(".outcome-name")!.TextContent);
        Assert.Empty(row.QuerySelectorAll("img, script"));
    }

    [Fact]
    public async Task DatasetsWithAStudyLinkItAndOthersDoNot()
    {
        var study = await StudySeeder.SeedAsync(App, "Tiers", SeededCondition.Of("base", "free", 2, 1, 0), SeededCondition.Of("base", "paid", 2, 0, 0));
        var single = await StudySeeder.SeedAsync(App, "One tier", SeededCondition.Of("base", "free", 2, 1, 0));

        var page = Render<DatasetsPage>();

        var studyRow = page.WaitForElement($"td[data-dataset-id='{study}']").ParentElement!;
        Assert.Equal($"/datasets/{study}/study", studyRow.QuerySelector("a.study-link")!.GetAttribute("href"));
        Assert.Null(page.Find($"td[data-dataset-id='{single}']").ParentElement!.QuerySelector("a.study-link"));
    }
}

public sealed class EmptyDatasetsPageTests(TestApp app) : PageComponentTests(app), IClassFixture<TestApp>
{
    [Fact]
    public void WithoutDatasetsThePageSaysHowToImport()
    {
        var page = Render<DatasetsPage>();

        var empty = page.WaitForElement("[data-testid=empty-state]");
        Assert.Contains("No datasets yet.", empty.TextContent, StringComparison.Ordinal);
        Assert.Equal("/import", empty.QuerySelector("a")!.GetAttribute("href"));
        Assert.Empty(page.FindAll("table"));
    }
}
