using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Charts;

public sealed class ChartTests(ChartBrowserApp app, ITestOutputHelper output) : IClassFixture<ChartBrowserApp>
{
    /// <summary>Charts draw only in the circuit: a plotted chart means the circuit is up and plotly.js is loaded.</summary>
    private static Task WaitForChartsAsync(IPage page) =>
        Assertions.Expect(page.Locator(".tv-chart .js-plotly-plot")).ToHaveCountAsync(2, new() { Timeout = 15_000 });

    [Fact]
    public async Task TheBasicBundleDrawsFilledBandsAndAsymmetricErrorBars()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;

        await page.GotoAsync(ChartProbeApp.Path);
        await WaitForChartsAsync(page);

        var script = await page.EvaluateAsync<string>("() => document.getElementById('plotly-import').src");
        Assert.EndsWith("/_content/Plotly.Blazor/plotly-basic-3.7.0.min.js", script, StringComparison.Ordinal);
        Assert.Equal("3.7.0", await page.EvaluateAsync<string>("() => Plotly.version"));
        var curve = page.Locator(".tv-chart .js-plotly-plot").First;
        var fills = await curve.Locator("path.js-fill").EvaluateAllAsync<string[]>("paths => paths.map(p => p.getAttribute('d') ?? '')");
        Assert.Contains(fills, d => d.Length > 20);
        var bars = page.Locator(".tv-chart .js-plotly-plot").Nth(1);
        Assert.Equal(3, await bars.Locator("g.errorbar path.yerror").CountAsync());
        var spans = await bars.Locator("g.errorbar path.yerror").EvaluateAllAsync<double[]>("paths => paths.map(p => p.getBBox().height)");
        Assert.All(spans, h => Assert.True(h > 5, $"an error bar is {h} px tall"));
        Assert.Empty(browser.Errors);
        output.WriteLine(await page.ScreenshotAsync("charts"));
    }

    [Fact]
    public async Task HoverAndClickOnAPointReachCSharp()
    {
        const int k = 6;
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync(ChartProbeApp.Path);
        await WaitForChartsAsync(page);
        var point = await page.EvaluateAsync<JsonElement>(
            """
            k => {
              const gd = document.querySelector('.tv-chart .js-plotly-plot');
              const layout = gd._fullLayout;
              const box = gd.getBoundingClientRect();
              return { x: box.left + layout._size.l + layout.xaxis.l2p(k), y: box.top + layout._size.t + layout.yaxis.l2p(gd.data[2].y[k]) };
            }
            """, k);
        var (x, y) = ((float)point.GetProperty("x").GetDouble(), (float)point.GetProperty("y").GetDouble());

        await page.Mouse.MoveAsync(x, y);
        await Assertions.Expect(page.Locator("#hovered")).ToHaveTextAsync($"2:{k}");
        await page.Mouse.ClickAsync(x, y);
        await Assertions.Expect(page.Locator("#clicked")).ToHaveTextAsync($"2:{k}");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task NewDataRedrawsTheChart()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync(ChartProbeApp.Path);
        await WaitForChartsAsync(page);

        await page.Locator("#extend").ClickAsync();

        await page.WaitForFunctionAsync("n => document.querySelector('.tv-chart .js-plotly-plot').data[2].y.length === n", ChartProbe.Rates.Length + 1);
        Assert.Equal(ChartProbe.Rates.Length + 1, await page.Locator(".tv-chart .js-plotly-plot").First.Locator(".scatterlayer .trace").Nth(2).Locator("path.point").CountAsync());
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task ColdLoadOfAPageWithAChart()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        var requests = new List<IRequest>();
        page.RequestFinished += (_, request) => requests.Add(request);

        await page.GotoAsync(ChartProbeApp.Path);
        await WaitForChartsAsync(page);

        var rows = new List<(string Url, long Bytes, string Encoding)>();
        foreach (var request in requests.ToList())
        {
            var sizes = await request.SizesAsync();
            var encoding = (await request.ResponseAsync())?.Headers.GetValueOrDefault("content-encoding") ?? "identity";
            rows.Add((new Uri(request.Url).AbsolutePath, sizes.ResponseBodySize + sizes.ResponseHeadersSize, encoding));
        }

        var lines = rows.OrderByDescending(r => r.Bytes).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Bytes,10:N0}  {r.Encoding,-8}  {r.Url}")).ToList();
        var total = rows.Sum(r => r.Bytes);
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"{total,10:N0}  total transferred in {rows.Count} requests (bodies as sent, plus headers)"));
        lines.ForEach(output.WriteLine);
        File.WriteAllLines(Path.Combine(BrowserApp.ArtifactsDirectory, "chart-cold-load.txt"), lines);
        Assert.Contains(rows, r => r.Url.EndsWith("plotly-basic-3.7.0.min.js", StringComparison.Ordinal));
        Assert.DoesNotContain(rows, r => r.Url.EndsWith("/plotly-3.7.0.min.js", StringComparison.Ordinal));
        // The basic bundle compresses to about 380 KB; with the framework, MudBlazor and the page well under a megabyte.
        Assert.InRange(total, 300_000, 1_000_000);
    }
}
