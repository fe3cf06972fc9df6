using System.Xml.Linq;
using Microsoft.Playwright;
using TraceViewer.Collect;
using TraceViewer.Tests;
using TraceViewer.Tests.Agreement;
using TraceViewer.Tests.Kinds;
using TraceViewer.Tests.Studies;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Charts;

/// <summary>Each chart's Download menu: PNG and SVG from plotly.js's own export of the drawn chart, and the CSV of its numbers.</summary>
public sealed class ChartDownloadTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static async Task<IDownload> DownloadAsync(IPage page, ILocator chart, string item)
    {
        await chart.Locator("[data-testid=chart-download] button").ClickAsync();
        return await page.RunAndWaitForDownloadAsync(() => page.Locator($"[data-testid=chart-download-{item}]").ClickAsync());
    }

    /// <summary>Opens the chart's menu, saves PNG, SVG and CSV, and checks what arrives; returns the CSV's rows.</summary>
    private async Task<IReadOnlyList<CsvRecord>> DownloadAllAsync(IPage page, ILocator chart, string stem, string csvName, string shot)
    {
        await chart.Locator("[data-testid=chart-download] button").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=chart-download-png]")).ToBeVisibleAsync();
        output.WriteLine(await page.ScreenshotAsync(shot, fullPage: false));
        var png = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=chart-download-png]").ClickAsync());
        Assert.Equal(stem + ".png", png.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync((await png.PathAsync())!);
        Assert.Equal(PngMagic, bytes.Take(8));
        Assert.True(bytes.Length > 2000, $"the PNG has {bytes.Length} bytes");

        var svg = await DownloadAsync(page, chart, "svg");
        Assert.Equal(stem + ".svg", svg.SuggestedFilename);
        var root = XDocument.Parse(await File.ReadAllTextAsync((await svg.PathAsync())!)).Root!;
        Assert.Equal("svg", root.Name.LocalName);
        Assert.Equal("http://www.w3.org/2000/svg", root.Name.NamespaceName);
        Assert.Contains(root.Descendants(), e => e.Name.LocalName == "path");

        var csv = await DownloadAsync(page, chart, "csv");
        Assert.Equal(csvName, csv.SuggestedFilename);
        return CsvText.Parse(await File.ReadAllTextAsync((await csv.PathAsync())!), csvName);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheTraceCurveDownloadsAsPngSvgAndCsv(string viewport)
    {
        var seeded = await TraceSeeder.SeedAsync(app.App, new TraceSeed { Model = $"curve-{Guid.NewGuid():N}", Counterfactual = i => 0.2 - (0.2 * i) });
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/traces/{seeded.TraceId}?effect=resampling");
        await page.WaitForCircuitAsync();
        var chart = page.Locator("[data-testid=curve-chart]");
        await Assertions.Expect(chart.Locator(".js-plotly-plot .scatterlayer .trace").First).ToBeVisibleAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"trace-chart-download-{viewport}", fullPage: false));

        var rows = await DownloadAllAsync(page, chart, $"trace-{seeded.TraceId}-curve", $"trace-{seeded.TraceId}-curve-resampling.csv", $"trace-chart-download-menu-{viewport}");

        Assert.Equal("prefix_end", rows[0].Fields[3]);
        Assert.Equal(["-1", "0", "1"], rows.Skip(1).Select(r => r.Fields[3]));
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheStudyChartDownloadsAsPngSvgAndCsv(string viewport)
    {
        var id = await StudySeeder.SeedAsync(app.App, "Download study",
            SeededCondition.Of("helpful-only", "free", n: 20, compliant: 9, faking: 4),
            SeededCondition.Of("helpful-only", "paid", n: 20, compliant: 2, faking: 0));
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/datasets/{id}/study");
        await page.WaitForCircuitAsync();
        var chart = page.Locator("[data-testid=study-chart]");
        await Assertions.Expect(chart.Locator(".js-plotly-plot .barlayer .trace")).ToHaveCountAsync(4, new() { Timeout = 15_000 });
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"study-downloads-{viewport}", fullPage: false));

        var rows = await DownloadAllAsync(page, chart, $"study-{id}-chart", $"study-{id}-chart.csv", $"study-chart-download-menu-{viewport}");
        Assert.Equal(4, rows.Count - 1);

        // The table's own menu: CSV of conditions and outcomes.
        await page.Locator(".study-title-row [data-testid=download-menu] button").ClickAsync();
        var table = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=download-csv]").ClickAsync());
        Assert.Equal($"study-{id}.csv", table.SuggestedFilename);
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheKindsChartDownloadsAsPngSvgAndCsv(string viewport)
    {
        var study = await KindsSeeder.SeedAsync(app.App, $"kinds/download-{viewport}", traces: 6, sentences: 8, seed: 17);
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/kinds?dataset={study.DatasetKey}");
        await page.WaitForCircuitAsync();
        var chart = page.Locator(".tv-chart-frame").First;
        await Assertions.Expect(chart.Locator(".js-plotly-plot .barlayer .trace").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"kinds-downloads-{viewport}", fullPage: false));

        var rows = await DownloadAllAsync(page, chart, "kinds-chart", $"kinds-chart-{TraceViewer.Outcomes.OutcomeRegistry.IsCorrect}-counterfactual.csv", $"kinds-chart-download-menu-{viewport}");
        Assert.True(rows.Count > 1);
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheAgreementFiguresDownloadAsCsvAndJson(string viewport)
    {
        string[] tags = ["plan", "doubt", "fact"];
        var seeded = await AgreementSeeder.SeedAsync(app.App, new AgreementSeed
        {
            Traces = 2, SentencesPerTrace = 10, Tags = tags,
            Annotators = [new(TraceViewer.Tags.AnnotatorKind.Person, "ann"), new(TraceViewer.Tags.AnnotatorKind.Model, "tagger-1")],
            TagsOf = (a, s) => [tags[(s + (a * (s % 3 == 0 ? 1 : 0))) % 3]],
        });
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        var query = $"dataset={seeded.DatasetId}&taxonomy={seeded.TaxonomyId}";
        await page.GotoAsync($"/agreement?{query}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("tr.tag-row")).ToHaveCountAsync(3);
        await page.AssertNoSidewaysScrollAsync(viewport);

        await page.Locator("[data-testid=download-menu] button").ClickAsync();
        output.WriteLine(await page.ScreenshotAsync($"agreement-download-menu-{viewport}", fullPage: false));
        var csv = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=download-csv]").ClickAsync());
        var rows = CsvText.Parse(await File.ReadAllTextAsync((await csv.PathAsync())!), "agreement.csv");
        Assert.EndsWith($"-dataset-{seeded.DatasetId}.csv", csv.SuggestedFilename);
        Assert.Equal(tags, rows.Skip(1).Where(r => r.Fields[2] == "variable").Select(r => r.Fields[1]));
        Assert.Empty(browser.Errors);
    }
}
