using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TraceViewer.Tests.Analyses;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Analyses;

public sealed class AnalysesPageTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static readonly LocatorAssertionsToHaveCountOptions ChartTimeout = new() { Timeout = 15_000 };

    /// <summary>Twelve sentences whose effects on the two outcomes differ from trace to trace (fixed by the seed).</summary>
    private static (SeededEffect[] Af, SeededEffect[] Comply) Effects(int seed)
    {
        var random = new Random(seed);
        double Next(double scale) => Math.Round((random.NextDouble() - 0.5) * scale, 3);
        var af = Enumerable.Range(0, 12).Select(k => new SeededEffect(k == seed % 12 ? 0.45 : Next(0.2), 0)).ToArray();
        var comply = Enumerable.Range(0, 12).Select(k => new SeededEffect(k == (seed + 5) % 12 ? -0.4 : Next(0.25), 0)).ToArray();
        return (af, comply);
    }

    /// <summary>Six queries in both tiers of two prompt variants; the first three of each condition are analysed.</summary>
    private Task<SeededStudy> SeedAsync()
    {
        var traces = new List<AnalysisTrace>();
        var seed = 0;
        foreach (var variant in new[] { "baseline", "no-cot" })
        {
            for (var q = 0; q < 6; q++)
            {
                foreach (var tier in new[] { "free", "paid" })
                {
                    var (af, comply) = Effects(seed++);
                    var query = $"Explain step by step how to get around a content filter on a school network, case {q + 1}";
                    traces.Add(q < 3
                        ? new AnalysisTrace(variant, tier, query, tier == "free" ? q % 2 == 0 : q == 1, tier == "free" && q == 0, af, comply, Sentences: 12)
                        : new AnalysisTrace(variant, tier, query, tier == "free" && q != 4, false, Sentences: 12));
                }
            }
        }

        return AnalysisSeeder.SeedAsync(app.App, [.. traces]);
    }

    /// <summary>Clicks the middle of one drawn point of a chart (plotly.js puts a drag layer over the points).</summary>
    private static async Task ClickPointAsync(IPage page, ILocator chart)
    {
        var point = chart.Locator(".scatterlayer .trace .points path").First;
        await point.ScrollIntoViewIfNeededAsync();
        var box = await point.BoundingBoxAsync();
        await page.Mouse.ClickAsync(box!.X + box.Width / 2, box.Y + box.Height / 2);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheTraceAnalysesSitBelowTheFirstScreenAndAClickedPointSelectsItsSentence(string viewport)
    {
        var study = await SeedAsync();
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/traces/{study.TraceIds[0]}");
        await page.WaitForCircuitAsync();
        var scatter = page.Locator("[data-testid=trace-analyses] .js-plotly-plot");
        await Assertions.Expect(scatter.Locator(".scatterlayer .trace")).Not.ToHaveCountAsync(0, ChartTimeout);

        // The section lives in the detail panel (the bottom sheet on a phone), so it never moves the curve or the sentences.
        Assert.Equal(1, await page.Locator(".side-detail [data-testid=trace-analyses]").CountAsync());
        if (viewport == Viewports.Laptop)
        {
            var place = await page.EvaluateAsync<JsonElement>(
                """
                () => ({
                  curve: document.getElementById('curve-chart').getBoundingClientRect().bottom,
                  sentence: document.getElementById('s-0').getBoundingClientRect().bottom,
                  bottom: innerHeight,
                })
                """);
            Assert.True(place.GetProperty("curve").GetDouble() < place.GetProperty("bottom").GetDouble(), $"the curve is off the first screen: {place}");
            Assert.True(place.GetProperty("sentence").GetDouble() < place.GetProperty("bottom").GetDouble(), $"the first sentence is off the first screen: {place}");
        }

        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"trace-analyses-{viewport}-screen", fullPage: false));

        if (viewport == Viewports.Phone)
        {
            await page.Locator("[data-testid=sheet-handle]").ClickAsync();
        }

        await page.Locator("[data-testid=analysis-concentration]").ScrollIntoViewIfNeededAsync();
        await scatter.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(page.Locator("[data-testid=pearson]")).ToHaveTextAsync(new Regex(@"^[+−]?\d\.\d\d$"));
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"trace-analyses-{viewport}-section", fullPage: false));

        await ClickPointAsync(page, scatter);

        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/traces/{study.TraceIds[0]}/sentences/\\d+"));
        var k = Regex.Match(page.Url, @"/sentences/(\d+)").Groups[1].Value;
        await Assertions.Expect(page.Locator($"#s-{k}")).ToHaveAttributeAsync("aria-selected", "true");
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheStudyShowsTheDistributionsAndPairsAndAPointOpensItsTrace(string viewport)
    {
        var study = await SeedAsync();
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/datasets/{study.DatasetId}/study");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("[data-testid=study-chart] .js-plotly-plot .barlayer .trace")).ToHaveCountAsync(4, ChartTimeout);
        var strips = page.Locator("[data-testid=concentration-strips] .js-plotly-plot");
        // Four conditions: their points and their medians.
        await Assertions.Expect(strips.Locator(".scatterlayer .trace")).ToHaveCountAsync(8, ChartTimeout);
        await Assertions.Expect(page.Locator("[data-testid=correlation-strips] .js-plotly-plot .scatterlayer .trace")).ToHaveCountAsync(8, ChartTimeout);

        // The study's own chart stays the first thing on the first screen.
        var chartTop = await page.Locator("[data-testid=study-chart]").EvaluateAsync<double>("e => e.getBoundingClientRect().top");
        Assert.True(chartTop < Viewports.Size(viewport).Height / 2, $"the study chart starts at {chartTop}px");
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"study-analyses-{viewport}-screen", fullPage: false));
        output.WriteLine(await page.ScreenshotAsync($"study-analyses-{viewport}"));

        await page.Locator("[data-testid=study-analyses]").ScrollIntoViewIfNeededAsync();
        await page.Locator("[data-testid=study-analyses] h2").EvaluateAsync("e => e.scrollIntoView()");
        output.WriteLine(await page.ScreenshotAsync($"study-analyses-{viewport}-strips", fullPage: false));
        await page.Locator("[data-testid=study-pairs] h2").EvaluateAsync("e => e.scrollIntoView()");
        await Assertions.Expect(page.Locator("[data-testid=study-pairs] li.pair")).ToHaveCountAsync(12);
        output.WriteLine(await page.ScreenshotAsync($"study-analyses-{viewport}-pairs", fullPage: false));

        await ClickPointAsync(page, strips);

        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/traces/\d+$"));
        var opened = int.Parse(Regex.Match(page.Url, @"/traces/(\d+)$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(opened, study.TraceIds);
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheTraceListFiltersByTierAndVariantInTheAddress(string viewport)
    {
        var study = await SeedAsync();
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/traces?dataset={study.DatasetId}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator(".result-count")).ToHaveAttributeAsync("data-total", "24");

        await page.ChooseAsync("tier", "paid");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("tier=paid"));
        await page.ChooseAsync("variant", "no-cot");

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("tier=paid&variant=no-cot|variant=no-cot.*tier=paid"));
        await Assertions.Expect(page.Locator(".result-count")).ToHaveAttributeAsync("data-total", "6");
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"traces-tier-variant-{viewport}-screen", fullPage: false));
        Assert.Empty(browser.Errors);
    }
}
