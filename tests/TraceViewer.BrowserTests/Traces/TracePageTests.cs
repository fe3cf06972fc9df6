using System.Text.Json;
using Microsoft.Playwright;
using TraceViewer.Metrics;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Traces;

public sealed class TracePageTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 10_000 };

    private int TraceId => app.Trace.TraceId;

    [Fact]
    public async Task DeepLinkSelectsTheSentenceScrollsToItAndShowsItsDetail()
    {
        const int k = 52;
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;

        var response = await page.GotoAsync($"/traces/{TraceId}/sentences/{k}");
        await WaitForChartAsync(page);

        Assert.Equal(200, response!.Status);
        Assert.Equal([$"s-{k}"], await page.Locator("#sentences .sentence.selected").EvaluateAllAsync<string[]>("els => els.map(e => e.id)"));
        Assert.Equal("true", await page.Locator($"#s-{k}").GetAttributeAsync("aria-current"));
        Assert.Equal(k.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.Locator("#sentence-detail .sentence-detail").GetAttributeAsync("data-index"));
        var view = await page.EvaluateAsync<JsonElement>(
            """
            k => {
              const sentence = document.getElementById(`s-${k}`).getBoundingClientRect();
              const pane = document.querySelector('.reasoning-pane');
              const box = pane.getBoundingClientRect();
              return {
                inView: sentence.top >= Math.max(0, box.top) && sentence.bottom <= Math.min(innerHeight, box.bottom),
                scrolled: pane.scrollTop + window.scrollY,
              };
            }
            """, k);
        Assert.True(view.GetProperty("inView").GetBoolean(), $"sentence {k} is outside the visible reasoning pane");
        Assert.True(view.GetProperty("scrolled").GetDouble() > 0, "the page did not scroll to reach the sentence");
        var shapes = await page.EvaluateAsync<double[]>("() => document.getElementById('curve-chart').layout.shapes.map(s => s.x0)");
        Assert.Equal([k], shapes);
        Assert.Empty(browser.Errors);

        var path = Path.Combine(BrowserApp.ArtifactsDirectory, "trace-deep-link.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        output.WriteLine($"screenshot: {path}");
        Assert.True(new FileInfo(path).Length > 0);
    }

    [Fact]
    public async Task ChartHasExactlyOnePointPerPrefixWithTheStoredRates()
    {
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;

        await page.GotoAsync($"/traces/{TraceId}");
        await WaitForChartAsync(page);
        var lines = await page.EvaluateAsync<JsonElement>(
            "() => document.getElementById('curve-chart').data.filter(t => t.mode === 'lines+markers').map(t => ({ x: t.x, y: t.y }))");

        var line = Assert.Single(lines.EnumerateArray());
        var x = line.GetProperty("x").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var y = line.GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var stored = app.Trace.Metrics.Where(m => m.Name == MetricNames.PrefixRate).OrderBy(m => m.SentenceIndex).ToArray();
        Assert.Equal(BrowserApp.SentenceCount, stored.Length);
        // The rate measured without sentence i is the rate of the prefix that ends with sentence i - 1.
        Assert.Equal(stored.Select(m => m.SentenceIndex - 1), x);
        Assert.Equal(stored.Select(m => m.Value), y);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task HoveringAChartPointHighlightsItsSentence()
    {
        const int k = 20;
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync($"/traces/{TraceId}");
        await WaitForChartAsync(page);

        var point = await page.EvaluateAsync<JsonElement>(
            """
            k => {
              const gd = document.getElementById('curve-chart');
              const line = gd._fullData.find(t => t.mode === 'lines+markers');
              const i = line.x.indexOf(k);
              const layout = gd._fullLayout;
              const box = gd.getBoundingClientRect();
              return { x: box.left + layout._size.l + layout.xaxis.l2p(k), y: box.top + layout._size.t + layout.yaxis.l2p(line.y[i]) };
            }
            """, k);
        await page.Mouse.MoveAsync((float)point.GetProperty("x").GetDouble(), (float)point.GetProperty("y").GetDouble());

        await Assertions.Expect(page.Locator($"#s-{k}")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bhovered\b"), new() { Timeout = 10_000 });
        Assert.Equal(1, await page.Locator("#sentences .sentence.hovered").CountAsync());
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task HoveringASentenceHighlightsItsChartPoint()
    {
        const int k = 12;
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync($"/traces/{TraceId}");
        await WaitForChartAsync(page);

        await page.Locator($"#s-{k}").HoverAsync();

        var label = page.Locator("#curve-chart .hoverlayer .hovertext");
        await Assertions.Expect(label).ToBeVisibleAsync(Visible);
        Assert.Contains($"with sentences 0–{k}", await label.TextContentAsync(), StringComparison.Ordinal);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task ClickingASentenceLoadsItsDetailAndUpdatesTheAddress()
    {
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync($"/traces/{TraceId}");
        await WaitForChartAsync(page);

        var request = page.WaitForRequestAsync(r => r.Url.EndsWith($"/traces/{TraceId}/sentences/5/detail", StringComparison.Ordinal));
        await page.Locator("#s-5").ClickAsync();
        var headers = await (await request).AllHeadersAsync();
        await Assertions.Expect(page.Locator("#sentence-detail .sentence-detail[data-index='5']")).ToBeVisibleAsync(Visible);

        Assert.Equal("true", headers.GetValueOrDefault("hx-request"));
        Assert.Equal($"/traces/{TraceId}/sentences/5", await page.EvaluateAsync<string>("() => location.pathname"));
        Assert.Equal(["s-5"], await page.Locator("#sentences .sentence.selected").EvaluateAllAsync<string[]>("els => els.map(e => e.id)"));
        Assert.Contains(app.Trace.Sentences[5].Text, await page.Locator("#sentence-detail .detail-text").TextContentAsync(), StringComparison.Ordinal);
        Assert.EndsWith($"/traces/{TraceId}/sentences/5", await page.Locator("#sentence-detail .deep-link input").InputValueAsync(), StringComparison.Ordinal);

        await page.Locator("#s-9").ClickAsync();
        await Assertions.Expect(page.Locator("#sentence-detail .sentence-detail[data-index='9']")).ToBeVisibleAsync(Visible);
        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("#sentence-detail .sentence-detail[data-index='5']")).ToBeVisibleAsync(Visible);

        Assert.Equal($"/traces/{TraceId}/sentences/5", await page.EvaluateAsync<string>("() => location.pathname"));
        Assert.Equal(["s-5"], await page.Locator("#sentences .sentence.selected").EvaluateAllAsync<string[]>("els => els.map(e => e.id)"));
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData("/traces/987654", "There is no trace with id 987654.")]
    [InlineData("/traces/{id}/sentences/60", "has no sentence 60")]
    [InlineData("/traces/{id}/sentences/-1", "Not found")]
    public async Task UnknownTraceOrSentenceShowsTheNotFoundPage(string address, string message)
    {
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;

        var response = await page.GotoAsync(address.Replace("{id}", TraceId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.Locator("[data-testid='not-found']")).ToContainTextAsync(message);
        Assert.Equal(0, await page.Locator("#curve-chart").CountAsync());
    }

    [Fact]
    public async Task UntrustedSentenceTextRendersAsTextAndNeverRuns()
    {
        const int k = BrowserApp.HostileIndex;
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync($"/traces/{TraceId}/sentences/{k}");
        await WaitForChartAsync(page);

        await page.Locator($"#s-{k + 1}").ClickAsync();
        await Assertions.Expect(page.Locator($"#sentence-detail .sentence-detail[data-index='{k + 1}']")).ToBeVisibleAsync(Visible);
        await page.Locator($"#s-{k}").ClickAsync();
        await Assertions.Expect(page.Locator($"#sentence-detail .sentence-detail[data-index='{k}']")).ToBeVisibleAsync(Visible);

        Assert.Equal(BrowserApp.HostileSentence, await page.Locator($"#s-{k}").TextContentAsync());
        Assert.Equal(BrowserApp.HostileSentence, await page.Locator("#sentence-detail .detail-text").TextContentAsync());
        Assert.Contains(BrowserApp.HostileSentence, await page.Locator("#sentence-detail .alternative-text").AllTextContentsAsync());
        Assert.Equal(0, await page.Locator("#sentences script, #sentences img, #sentence-detail script, #sentence-detail img").CountAsync());
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__pwned"));
        Assert.Empty(browser.Errors);
    }

    private static async Task WaitForChartAsync(IPage page) =>
        await Assertions.Expect(page.Locator("#curve-chart[data-ready='true']")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
}
