using Microsoft.Playwright;
using TraceViewer.Collect;
using TraceViewer.Tests;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Exports;

public sealed class DownloadTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task DownloadCsvOnTheTracesPageSavesEveryListedTrace(string viewport)
    {
        var model = $"download-{Guid.NewGuid():N}";
        for (var i = 0; i < 27; i++)
        {
            await TraceSeeder.SeedAsync(app.App, new TraceSeed { Model = model, Title = $"=T{i:00}", Sentences = ["One."], ResamplesPerSentence = 1, Successes = _ => 1 });
        }

        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/traces?model={model}&sort=title");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("tr.trace-row").First).ToBeVisibleAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);

        await page.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync();
        output.WriteLine(await page.ScreenshotAsync($"traces-download-menu-{viewport}", fullPage: false));
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=download-csv]").ClickAsync());
        var path = await download.PathAsync();
        var records = CsvText.Parse(await File.ReadAllTextAsync(path), "download.csv");

        Assert.Equal($"traces-{model}.csv", download.SuggestedFilename);
        Assert.Equal(Enumerable.Range(0, 27).Select(i => $"'=T{i:00}"), records.Skip(1).Select(r => r.Fields[1]));
    }
}
