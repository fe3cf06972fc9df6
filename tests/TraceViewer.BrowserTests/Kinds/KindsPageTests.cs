using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TraceViewer.Tests;
using TraceViewer.Tests.Kinds;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Kinds;

public sealed class KindsPageTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static readonly LocatorAssertionsToHaveCountOptions ChartTimeout = new() { Timeout = 15_000 };

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task ClickingABarListsItsSentencesAndBackAndForwardRestoreIt(string viewport)
    {
        var study = await KindsSeeder.SeedAsync(app.App, $"kinds/browser-{viewport}", traces: 12, sentences: 14, seed: 31, people: true);
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/kinds?dataset={study.DatasetId}");
        await page.WaitForCircuitAsync();
        var bars = page.Locator("[data-testid=kinds-chart] .js-plotly-plot .barlayer .trace path");
        await Assertions.Expect(bars.First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.AssertNoSidewaysScrollAsync(viewport);
        // The chart starts within the first screen; the table follows it.
        var chart = await page.Locator("[data-testid=kinds-chart]").BoundingBoxAsync();
        Assert.True(chart!.Y < Viewports.Size(viewport).Height, $"the chart starts at {chart.Y} px");
        output.WriteLine(await page.ScreenshotAsync($"kinds-{viewport}"));
        output.WriteLine(await page.ScreenshotAsync($"kinds-{viewport}-screen", fullPage: false));

        // plotly.js puts a drag layer over the bars, so the click goes to the bar's place on the page.
        var bar = bars.Nth(1);
        await bar.ScrollIntoViewIfNeededAsync();
        var box = await bar.BoundingBoxAsync();
        await page.Mouse.ClickAsync(box!.X + box.Width / 2, box.Y + box.Height / 2);

        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"&tag=[a-z_]+$"));
        var tag = Regex.Match(page.Url, "tag=([a-z_]+)$").Groups[1].Value;
        var list = page.Locator("[data-testid=kinds-sentences]");
        await Assertions.Expect(list).ToHaveAttributeAsync("data-tag", tag);
        await Assertions.Expect(list.Locator("li.kinds-sentence").First).ToBeVisibleAsync();
        await Assertions.Expect(list.Locator("a.sentence-link").First).ToHaveAttributeAsync("href", new Regex(@"^/traces/\d+/sentences/\d+$"));
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"kinds-open-{viewport}"));
        output.WriteLine(await page.ScreenshotAsync($"kinds-open-{viewport}-screen", fullPage: false));

        await page.GoBackAsync();
        await Assertions.Expect(list).ToHaveCountAsync(0);
        await page.GoForwardAsync();
        await Assertions.Expect(list).ToHaveAttributeAsync("data-tag", tag);

        await page.ChooseAsync("layer", "Consensus (a majority of annotators)");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("layer=consensus"));
        await Assertions.Expect(page.Locator("[data-testid=kinds-table] td[data-tag]").First).ToBeVisibleAsync();
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task SmallEffectsGetDistinctTickLabelsAndTableMeansAndTheAxisTitleFitsInTheChart(string viewport)
    {
        // Effects of a few thousandths, as on the sample data's MATH problem.
        var study = await KindsSeeder.SeedAsync(app.App, $"kinds/small-{viewport}", traces: 6, sentences: 12, seed: 5, effectScale: 0.005);
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/kinds?dataset={study.DatasetId}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("[data-testid=kinds-chart] .js-plotly-plot .barlayer .trace path").First).ToBeVisibleAsync(new() { Timeout = 15_000 });

        var ticks = await page.Locator("[data-testid=kinds-chart] .js-plotly-plot .xtick text").AllTextContentsAsync();
        Assert.True(ticks.Count >= 3, $"ticks: {string.Join(" | ", ticks)}");
        Assert.Equal(ticks.Count, ticks.Distinct(StringComparer.Ordinal).Count());
        var chart = await page.Locator("[data-testid=kinds-chart]").BoundingBoxAsync();
        var title = await page.Locator("[data-testid=kinds-chart] .js-plotly-plot text.xtitle").BoundingBoxAsync();
        output.WriteLine($"ticks {string.Join(" | ", ticks)}; title {title!.X:0}-{title.X + title.Width:0} px, chart {chart!.X:0}-{chart.X + chart.Width:0} px");
        Assert.True(title!.X >= chart!.X && title.X + title.Width <= chart.X + chart.Width,
            $"the axis title spans {title.X:0}-{title.X + title.Width:0} px, the chart {chart.X:0}-{chart.X + chart.Width:0} px");
        // The table beside it tells the tags' means apart too (three fixed decimals wrote them alike).
        var means = (await page.Locator("[data-testid=kinds-table] td.signed .value").AllTextContentsAsync()).Select(m => m.Trim()).Where(m => m != "—").ToList();
        output.WriteLine($"means {string.Join(" | ", means)}");
        Assert.True(means.Count >= 3, $"means: {string.Join(" | ", means)}");
        Assert.Equal(means.Count, means.Distinct(StringComparer.Ordinal).Count());
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"kinds-small-{viewport}", fullPage: false));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task WithoutTagsThePageSaysSoAtBothSizes()
    {
        var study = await KindsSeeder.SeedAsync(app.App, "kinds/browser-empty", traces: 1, sentences: 3);
        foreach (var viewport in new[] { Viewports.Laptop, Viewports.Phone })
        {
            await using var browser = await app.NewPageAsync(viewport);
            var page = browser.Page;
            await page.GotoAsync($"/kinds?dataset={study.DatasetId}&taxonomy=Alignment-faking%20reasoning");
            await page.WaitForCircuitAsync();
            await Assertions.Expect(page.Locator("[data-testid=kinds-empty]")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=kinds-chart]")).ToHaveCountAsync(0);
            await page.AssertNoSidewaysScrollAsync(viewport);
            output.WriteLine(await page.ScreenshotAsync($"kinds-empty-{viewport}", fullPage: false));
            Assert.Empty(browser.Errors);
        }
    }

    /// <summary>The bars plotly drew into the kinds chart's plot (0 until it has drawn).</summary>
    private const string DrawnBars =
        "() => document.querySelectorAll('[data-testid=kinds-chart] #kinds-plot.js-plotly-plot .barlayer .trace .point > path').length";

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheChartIsDrawnBeforeTheCircuitConnects(string viewport)
    {
        var study = await KindsSeeder.SeedAsync(app.App, $"kinds/chart-first-{viewport}", traces: 8, sentences: 10, seed: 41);
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        // No circuit: only the prerendered page and its static scripts.
        await page.RouteAsync("**/_blazor**", route => route.AbortAsync());

        await page.GotoAsync($"/kinds?dataset={study.DatasetId}");

        var bars = await page.EvaluateAsync<int>("() => JSON.parse(document.querySelector('[data-testid=kinds-chart] .tv-chart').dataset.figure).data[0].y.length");
        Assert.True(bars > 0);
        await Wait.UntilAsync(async () => await page.EvaluateAsync<int>(DrawnBars) == bars, TimeSpan.FromSeconds(15), "the prerendered bars");
        Assert.Equal(0, await page.Locator("[data-interactive='true']").CountAsync());
        Assert.Equal(1, await page.Locator("[data-testid=kinds-chart] .js-plotly-plot .main-svg").First.CountAsync());
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"kinds-chart-first-{viewport}", fullPage: false));
    }

    [Fact]
    public async Task TheCircuitTakesOverTheDrawnChartInPlaceAndABarClickStillOpensItsSentences()
    {
        var study = await KindsSeeder.SeedAsync(app.App, "kinds/chart-take-over", traces: 8, sentences: 10, seed: 43);
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        // The circuit waits until the prerendered chart is drawn, so the take-over is what is tested, whatever the timing.
        var drawn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/_blazor/negotiate**", async route =>
        {
            await drawn.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await route.ContinueAsync();
        });

        await page.GotoAsync($"/kinds?dataset={study.DatasetId}");
        await Wait.UntilAsync(async () => await page.EvaluateAsync<int>(DrawnBars) > 0, TimeSpan.FromSeconds(15), "the prerendered bars");
        var before = await page.EvaluateAsync<int>(DrawnBars);
        await page.EvaluateAsync("() => { window.__drawn = document.getElementById('kinds-plot'); window.__svg = window.__drawn.querySelector('.main-svg'); }");
        Assert.Equal(0, await page.Locator("[data-interactive='true']").CountAsync());
        drawn.SetResult();
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("#kinds-plot[data-taken-over='true']")).ToHaveCountAsync(1, new() { Timeout = 15_000 });

        // One plot, the one drawn before the circuit, with the same SVG and bars.
        Assert.True(await page.EvaluateAsync<bool>(
            "() => document.querySelectorAll('.js-plotly-plot').length === 1 && document.getElementById('kinds-plot') === window.__drawn && window.__drawn.querySelector('.main-svg') === window.__svg"),
            "the chart was drawn again in a new element");
        Assert.Equal(before, await page.EvaluateAsync<int>(DrawnBars));

        var bar = page.Locator("[data-testid=kinds-chart] .js-plotly-plot .barlayer .trace .point > path").Nth(0);
        var box = await bar.BoundingBoxAsync();
        await page.Mouse.ClickAsync(box!.X + box.Width / 2, box.Y + box.Height / 2);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"&tag=[a-z_]+$"));
        await Assertions.Expect(page.Locator("[data-testid=kinds-sentences] li.kinds-sentence").First).ToBeVisibleAsync();
        Assert.Empty(browser.Errors);
    }
}
