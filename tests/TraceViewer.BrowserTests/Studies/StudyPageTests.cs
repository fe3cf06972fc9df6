using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TraceViewer.Tests.Studies;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Studies;

public sealed class StudyPageTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static readonly LocatorAssertionsToHaveCountOptions ChartTimeout = new() { Timeout = 15_000 };

    /// <summary>Two prompt variants in both tiers, with the free tier complying more (as in the literature).</summary>
    private Task<int> SeedAsync() => StudySeeder.SeedAsync(app.App, "Claude 3 Opus, helpful-only setting",
        SeededCondition.Of("helpful-only", "free", n: 40, compliant: 14, faking: 6, undetermined: 2),
        SeededCondition.Of("helpful-only", "paid", n: 40, compliant: 3, faking: 0),
        SeededCondition.Of("no-cot", "free", n: 30, compliant: 8, faking: 1),
        SeededCondition.Of("no-cot", "paid", n: 30, compliant: 4, faking: 0));

    private static Task WaitForChartAsync(IPage page) =>
        Assertions.Expect(page.Locator("[data-testid=study-chart] .js-plotly-plot .barlayer .trace")).ToHaveCountAsync(4, ChartTimeout);

    /// <summary>Clicks the middle of a bar: series 0..3 (compliance free, paid, alignment faking free, paid), point = variant.</summary>
    private static async Task ClickBarAsync(IPage page, int series, int point)
    {
        // plotly.js puts a drag layer over the bars, so the click goes to the bar's place on the page.
        var bar = page.Locator("[data-testid=study-chart] .barlayer .trace").Nth(series).Locator("path").Nth(point);
        await bar.ScrollIntoViewIfNeededAsync();
        var box = await bar.BoundingBoxAsync();
        await page.Mouse.ClickAsync(box!.X + box.Width / 2, box.Y + box.Height / 2);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task ClickingABarListsItsTracesAndBackAndForwardRestoreTheSelection(string viewport)
    {
        var id = await SeedAsync();
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/datasets/{id}/study");
        await page.WaitForCircuitAsync();
        await WaitForChartAsync(page);
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"study-{viewport}"));
        output.WriteLine(await page.ScreenshotAsync($"study-{viewport}-screen", fullPage: false));

        await ClickBarAsync(page, series: 1, point: 0);

        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/datasets/{id}/study\\?variant=helpful-only&tier=paid$"));
        await Assertions.Expect(page.Locator("tr.study-trace")).ToHaveCountAsync(25);
        await Assertions.Expect(page.Locator("[data-testid=study-traces] h2")).ToContainTextAsync("helpful-only, paid tier");
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"study-selected-{viewport}"));
        output.WriteLine(await page.ScreenshotAsync($"study-selected-{viewport}-screen", fullPage: false));
        await page.Locator("[data-testid=study-traces] .url-pager a[rel=next]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("variant=helpful-only&tier=paid&page=2$"));
        await Assertions.Expect(page.Locator("tr.study-trace")).ToHaveCountAsync(15);
        await ClickBarAsync(page, series: 2, point: 1);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("variant=no-cot&tier=free$"));
        await Assertions.Expect(page.Locator("tr.study-trace")).ToHaveCountAsync(25);

        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("tr.study-trace")).ToHaveCountAsync(15);
        await page.GoBackAsync();
        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("[data-testid=study-traces]")).ToHaveCountAsync(0);
        await page.GoForwardAsync();
        await Assertions.Expect(page.Locator("[data-testid=study-traces]")).ToHaveAttributeAsync("data-tier", "paid");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task PaidBarsAreHatchedAndEveryBarCarriesItsWilsonInterval()
    {
        var id = await SeedAsync();
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync($"/datasets/{id}/study");
        await WaitForChartAsync(page);

        var drawn = await page.EvaluateAsync<JsonElement>(
            """
            () => {
              const gd = document.querySelector('[data-testid=study-chart] .js-plotly-plot');
              const fills = [...gd.querySelectorAll('.barlayer .trace')].map(t => t.querySelector('path').style.fill);
              return { fills, patterns: gd.querySelectorAll('defs pattern').length, errorBars: gd.querySelectorAll('g.errorbar path.yerror').length };
            }
            """);

        var fills = drawn.GetProperty("fills").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Equal("rgb(52, 114, 186)", fills[0]);
        Assert.StartsWith("url(", fills[1], StringComparison.Ordinal);
        Assert.Equal("rgb(245, 160, 66)", fills[2]);
        Assert.StartsWith("url(", fills[3], StringComparison.Ordinal);
        Assert.True(drawn.GetProperty("patterns").GetInt32() >= 2, "no hatch patterns were drawn");
        Assert.Equal(8, drawn.GetProperty("errorBars").GetInt32());

        // In the dark theme the error bars turn light, so they stay visible.
        await page.WaitForCircuitAsync();
        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await page.WaitForFunctionAsync(
            "() => getComputedStyle(document.querySelector('[data-testid=study-chart] g.errorbar path.yerror')).stroke === 'rgb(255, 255, 255)'");
        output.WriteLine(await page.ScreenshotAsync("study-dark-laptop", fullPage: false));
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheStudyIsReachableFromTheDatasetsAndTraceListPages(string viewport)
    {
        var id = await SeedAsync();
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync("/datasets");
        await page.WaitForCircuitAsync();

        await page.Locator($"td[data-dataset-id='{id}']").Locator("xpath=..").Locator("a.study-link").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/datasets/{id}/study$"));
        await WaitForChartAsync(page);
        await page.Locator("nav.crumbs a", new() { HasText = "Claude 3 Opus" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/traces\\?dataset={id}$"));
        await Assertions.Expect(page.Locator("tr.trace-row")).ToHaveCountAsync(25);
        await Assertions.Expect(page.Locator(".study-link a")).ToBeVisibleAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"traces-study-link-{viewport}", fullPage: false));
        await page.Locator(".study-link a").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/datasets/{id}/study$"));
        await WaitForChartAsync(page);
        // The sample-like dataset without tiers has no study link.
        await page.GotoAsync("/datasets");
        await Assertions.Expect(page.Locator($"td[data-dataset-id='{app.Trace.DatasetId}']").Locator("xpath=..").Locator("a.study-link")).ToHaveCountAsync(0);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task ThePrerenderedStudyIsCarriedIntoTheCircuitWithoutReadingAgain()
    {
        var id = await SeedAsync();
        var url = $"/datasets/{id}/study?variant=no-cot&tier=paid";
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var before = Reads();
        (await http.GetAsync(url)).EnsureSuccessStatusCode();
        var prerender = Reads() - before;
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;

        before = Reads();
        await page.GotoAsync(url);
        await page.WaitForCircuitAsync();
        await WaitForChartAsync(page);
        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("aria-label", "Switch to the light theme");

        Assert.True(prerender > 0);
        Assert.Equal(prerender, Reads() - before);
        Assert.Empty(browser.Errors);
    }

    private int Reads() => app.Queries.CountReading("Trace") + app.Queries.CountReading("Dataset") + app.Queries.CountReading("TraceLabel");
}
