using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TraceViewer.MetricSets;
using TraceViewer.Tests;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Traces;

public sealed class TracePageTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 10_000 };

    private int TraceId => app.Trace.TraceId;

    private string Path(int k, string query = "") => $"/traces/{TraceId}/sentences/{k}{query}";

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Charts draw once the circuit is up and plotly.js has loaded; the page's script then links hovering.</summary>
    private static async Task WaitForChartAsync(IPage page)
    {
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("#curve-chart .js-plotly-plot[data-linked='true']")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
    }

    /// <summary>Where sentence k is against what the reader sees: the viewport, less the detail sheet on a phone.</summary>
    private static async Task<JsonElement> PlaceAsync(IPage page, int k) =>
        await page.EvaluateAsync<JsonElement>(
            """
            k => {
              const box = document.getElementById(`s-${k}`).getBoundingClientRect();
              const sheet = document.querySelector('.side-detail');
              const fixed = getComputedStyle(sheet).position === 'fixed';
              const bottom = fixed ? sheet.getBoundingClientRect().top : innerHeight;
              const detail = document.querySelector('#sentence-detail .sentence-detail');
              const head = detail?.querySelector('.detail-title')?.getBoundingClientRect();
              return {
                inView: box.top >= 56 && box.bottom <= bottom,
                top: box.top, bottom: box.bottom, visibleBottom: bottom, scrolled: scrollY,
                detailIndex: detail ? Number(detail.dataset.index) : -1,
                detailInView: !!head && head.top >= 0 && head.bottom <= innerHeight && head.height > 0,
              };
            }
            """, k);

    private static void AssertLandedOn(JsonElement place, int k)
    {
        Assert.True(place.GetProperty("inView").GetBoolean(), $"sentence {k} is not in view: {place}");
        Assert.True(place.GetProperty("scrolled").GetDouble() > 0, "the page did not scroll to the sentence");
        Assert.Equal(k, place.GetProperty("detailIndex").GetInt32());
        Assert.True(place.GetProperty("detailInView").GetBoolean(), $"the detail of sentence {k} is not in view: {place}");
    }

    private static async Task<string[]> SelectedAsync(IPage page) =>
        await page.Locator("#sentences .sentence[aria-selected='true']").EvaluateAllAsync<string[]>("els => els.map(e => e.id)");

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task ADeepLinkLandsOnItsSentenceWithItsDetailBeforeTheCircuitConnects(string viewport)
    {
        const int k = 47;
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        // No circuit: the WebSocket and its fallbacks never connect, so this is the prerendered page and its static script.
        await page.RouteAsync("**/_blazor**", route => route.AbortAsync());

        await page.GotoAsync(Path(k));

        Assert.Equal([$"s-{k}"], await SelectedAsync(page));
        AssertLandedOn(await PlaceAsync(page, k), k);
        Assert.Equal(0, await page.Locator("[data-interactive='true']").CountAsync());
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await ViewportShotAsync(page, $"trace-deep-link-{viewport}-prerendered"));
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task ADeepLinkLandsOnItsSentenceWithItsDetailOnceLive(string viewport)
    {
        const int k = 47;
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;

        var response = await page.GotoAsync(Path(k));
        await WaitForChartAsync(page);

        Assert.Equal(200, response!.Status);
        Assert.Equal([$"s-{k}"], await SelectedAsync(page));
        AssertLandedOn(await PlaceAsync(page, k), k);
        var shapes = await page.EvaluateAsync<double[]>("() => document.querySelector('#curve-chart .js-plotly-plot').layout.shapes.map(s => s.x0)");
        Assert.Equal([k], shapes);
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await ViewportShotAsync(page, $"trace-deep-link-{viewport}"));
        output.WriteLine(await page.ScreenshotAsync($"trace-page-{viewport}-full"));
        Assert.Empty(browser.Errors);
    }

    /// <summary>Points of the curve's solid line as plotly drew them: one marker per prefix.</summary>
    private const string DrawnPoints =
        "() => { const gd = document.querySelector('#curve-chart .js-plotly-plot'); if (!gd || !gd._fullData) return 0; " +
        "const i = Number(gd.closest('#curve-chart').dataset.line); return gd.querySelectorAll('.scatterlayer .trace')[i]?.querySelectorAll('path.point').length ?? 0; }";

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheCurveIsDrawnBeforeTheCircuitConnects(string viewport)
    {
        const int k = 12;
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        // No circuit: only the prerendered page and its static scripts.
        await page.RouteAsync("**/_blazor**", route => route.AbortAsync());

        await page.GotoAsync(Path(k));

        await Wait.UntilAsync(async () => await page.EvaluateAsync<int>(DrawnPoints) == BrowserApp.SentenceCount, TimeSpan.FromSeconds(15), "the prerendered curve's points");
        Assert.Equal(0, await page.Locator("[data-interactive='true']").CountAsync());
        Assert.Equal(1, await page.Locator("#curve-chart .js-plotly-plot").CountAsync());
        // The deep-linked sentence's line is drawn with the curve, and the sentence is selected and tinted as before.
        var shapes = await page.EvaluateAsync<double[]>("() => document.querySelector('#curve-chart .js-plotly-plot').layout.shapes.map(s => s.x0)");
        Assert.Equal([k], shapes);
        Assert.Equal([$"s-{k}"], await SelectedAsync(page));
        await Assertions.Expect(page.Locator("#curve-chart .curve-pending")).ToBeHiddenAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await ViewportShotAsync(page, $"trace-chart-first-{viewport}-before-circuit"));
    }

    [Fact]
    public async Task TheCircuitTakesOverTheDrawnCurveInPlaceAndHoverAndClickStillSelect()
    {
        const int k = 20;
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        // The circuit waits until the prerendered curve is drawn, so the take-over is what is tested, whatever the timing.
        var drawn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/_blazor/negotiate**", async route =>
        {
            await drawn.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await route.ContinueAsync();
        });

        await page.GotoAsync(Path(k));
        await Wait.UntilAsync(async () => await page.EvaluateAsync<int>(DrawnPoints) == BrowserApp.SentenceCount, TimeSpan.FromSeconds(15), "the prerendered curve's points");
        await page.EvaluateAsync(
            "() => { const gd = document.querySelector('#curve-chart .js-plotly-plot'); window.__drawn = gd; window.__svg = gd.querySelector('.main-svg'); }");
        Assert.Equal(0, await page.Locator("[data-interactive='true']").CountAsync());
        output.WriteLine(await ViewportShotAsync(page, "trace-chart-first-laptop-before-connect"));
        drawn.SetResult();
        await WaitForChartAsync(page);

        // One plot, the one drawn before the circuit, with its SVG: Plotly.Blazor compared the figure instead of drawing anew.
        var state = await page.EvaluateAsync<JsonElement>(
            """
            () => {
              const plots = document.querySelectorAll('#curve-chart .js-plotly-plot');
              const gd = plots[0];
              return {
                plots: plots.length, same: gd === window.__drawn, svg: gd.querySelector('.main-svg') === window.__svg, takenOver: gd.dataset.takenOver === 'true',
                bundles: performance.getEntriesByType('resource').filter(e => e.name.includes('plotly-basic')).length,
                scripts: document.querySelectorAll('script[src*="plotly-basic"]').length,
              };
            }
            """);
        Assert.Equal(1, state.GetProperty("plots").GetInt32());
        Assert.True(state.GetProperty("same").GetBoolean(), $"the curve was drawn again in a new element: {state}");
        Assert.True(state.GetProperty("svg").GetBoolean(), $"the curve's SVG was drawn again: {state}");
        Assert.True(state.GetProperty("takenOver").GetBoolean(), $"Plotly.Blazor did not draw on the prerendered plot: {state}");
        Assert.Equal(1, state.GetProperty("bundles").GetInt32());
        Assert.Equal(1, state.GetProperty("scripts").GetInt32());
        Assert.Equal(BrowserApp.SentenceCount, await page.EvaluateAsync<int>(DrawnPoints));
        output.WriteLine(await ViewportShotAsync(page, "trace-chart-first-laptop-after-connect"));

        // Hover both ways, then a click on a point selects its sentence.
        var point = await PointAsync(page, k);
        await page.Mouse.MoveAsync(point.X, point.Y);
        await Assertions.Expect(page.Locator($"#s-{k}")).ToHaveAttributeAsync("data-hover", "true", new() { Timeout = 10_000 });
        await page.Mouse.MoveAsync(5, 300);
        await page.Locator($"#s-{k + 1}").HoverAsync();
        var label = page.Locator("#curve-chart .hoverlayer .hovertext");
        await Assertions.Expect(label).ToBeVisibleAsync(Visible);
        Assert.Contains($"with sentences 0–{k + 1}", await label.TextContentAsync(), StringComparison.Ordinal);
        point = await PointAsync(page, k + 3);
        await page.Mouse.ClickAsync(point.X, point.Y);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/traces/{TraceId}/sentences/{k + 3}$"));
        await Assertions.Expect(page.Locator($"#sentence-detail .sentence-detail[data-index='{k + 3}']")).ToBeVisibleAsync(Visible);
        Assert.Equal([$"s-{k + 3}"], await SelectedAsync(page));
        Assert.Equal(1, await page.Locator("#curve-chart .js-plotly-plot").CountAsync());
        // The dotted line follows the selection.
        await page.WaitForFunctionAsync("k => document.querySelector('#curve-chart .js-plotly-plot').layout.shapes[0]?.x0 === k", k + 3, new() { Timeout = 10_000 });
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task OnAPhoneTheDrawnCurveStaysWhereItIsWhenTheCircuitConnects()
    {
        await using var browser = await app.NewPageAsync(Viewports.Phone);
        var page = browser.Page;
        var drawn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/_blazor/negotiate**", async route =>
        {
            await drawn.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await route.ContinueAsync();
        });

        // Without a sentence in the address the phone opens at the top, the curve above the text.
        await page.GotoAsync($"/traces/{TraceId}");
        await Wait.UntilAsync(async () => await page.EvaluateAsync<int>(DrawnPoints) == BrowserApp.SentenceCount, TimeSpan.FromSeconds(15), "the prerendered curve's points");
        const string Box = "() => { const gd = document.querySelector('#curve-chart .js-plotly-plot'); const r = gd.getBoundingClientRect(); window.__drawn ??= gd; return [r.left, r.top, r.width, r.height]; }";
        var before = await page.EvaluateAsync<double[]>(Box);
        await page.AssertNoSidewaysScrollAsync(Viewports.Phone);
        output.WriteLine(await ViewportShotAsync(page, "trace-chart-first-phone-before-connect"));
        drawn.SetResult();
        await WaitForChartAsync(page);

        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('#curve-chart .js-plotly-plot') === window.__drawn"), "the curve was drawn again in a new element");
        Assert.Equal(before, await page.EvaluateAsync<double[]>(Box));
        await page.AssertNoSidewaysScrollAsync(Viewports.Phone);
        output.WriteLine(await ViewportShotAsync(page, "trace-chart-first-phone-after-connect"));
        Assert.Empty(browser.Errors);
    }

    /// <summary>Where the solid line's point for the prefix ending with sentence k is on the screen.</summary>
    private static async Task<(float X, float Y)> PointAsync(IPage page, int k)
    {
        var point = await page.EvaluateAsync<JsonElement>(
            """
            k => {
              const gd = document.querySelector('#curve-chart .js-plotly-plot');
              const line = gd._fullData[Number(gd.closest('#curve-chart').dataset.line)];
              const i = Array.from(line.x).indexOf(k);
              const layout = gd._fullLayout;
              const box = gd.getBoundingClientRect();
              return { x: box.left + layout._size.l + layout.xaxis.l2p(k), y: box.top + layout._size.t + layout.yaxis.l2p(line.y[i]) };
            }
            """, k);
        return ((float)point.GetProperty("x").GetDouble(), (float)point.GetProperty("y").GetDouble());
    }

    [Fact]
    public async Task TheCurveHasOnePointPerPrefixWithTheStoredRates()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;

        await page.GotoAsync($"/traces/{TraceId}");
        await WaitForChartAsync(page);
        var line = await page.EvaluateAsync<JsonElement>(
            "() => { const gd = document.querySelector('#curve-chart .js-plotly-plot'); const t = gd.data[Number(gd.closest('#curve-chart').dataset.line)]; return { x: Array.from(t.x), y: Array.from(t.y), colors: Array.from(t.marker.color) }; }");

        var x = line.GetProperty("x").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var y = line.GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var stored = app.Trace.Metrics.Where(m => m.Name == MetricNames.PrefixRate).OrderBy(m => m.SentenceIndex).ToArray();
        Assert.Equal(BrowserApp.SentenceCount, stored.Length);
        // The rate measured without sentence i is the rate of the prefix that ends with sentence i - 1.
        Assert.Equal(stored.Select(m => m.SentenceIndex - 1), x);
        Assert.Equal(stored.Select(m => m.Value), y);
        // Points take the direction of the sentence that ends the prefix: sentence 3 promotes (orange), 4 suppresses (purple).
        var colors = line.GetProperty("colors").EnumerateArray().Select(c => c.GetString()).ToArray();
        Assert.Equal("#EA7600", colors[Array.IndexOf(x, 3)]);
        Assert.Equal("#7C3AED", colors[Array.IndexOf(x, 4)]);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task HoveringLinksPointsAndSentencesBothWays()
    {
        const int k = 20;
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync(Path(k));
        await WaitForChartAsync(page);

        var point = await page.EvaluateAsync<JsonElement>(
            """
            k => {
              const gd = document.querySelector('#curve-chart .js-plotly-plot');
              const line = gd._fullData[Number(gd.closest('#curve-chart').dataset.line)];
              const i = Array.from(line.x).indexOf(k);
              const layout = gd._fullLayout;
              const box = gd.getBoundingClientRect();
              return { x: box.left + layout._size.l + layout.xaxis.l2p(k), y: box.top + layout._size.t + layout.yaxis.l2p(line.y[i]) };
            }
            """, k);
        await page.Mouse.MoveAsync((float)point.GetProperty("x").GetDouble(), (float)point.GetProperty("y").GetDouble());

        await Assertions.Expect(page.Locator($"#s-{k}")).ToHaveAttributeAsync("data-hover", "true", new() { Timeout = 10_000 });
        Assert.Equal(1, await page.Locator("#sentences .sentence[data-hover]").CountAsync());

        await page.Mouse.MoveAsync(5, 300);
        await Assertions.Expect(page.Locator("#sentences .sentence[data-hover]")).ToHaveCountAsync(0);
        await page.Locator($"#s-{k + 1}").HoverAsync();
        var label = page.Locator("#curve-chart .hoverlayer .hovertext");
        await Assertions.Expect(label).ToBeVisibleAsync(Visible);
        Assert.Contains($"with sentences 0–{k + 1}", await label.TextContentAsync(), StringComparison.Ordinal);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task ClickingAPointSelectsItsSentenceAndKeepsTheReadingPosition()
    {
        const int k = 30;
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync(Path(k));
        await WaitForChartAsync(page);
        var before = await page.EvaluateAsync<double>("() => scrollY");

        var point = await page.EvaluateAsync<JsonElement>(
            """
            k => {
              const gd = document.querySelector('#curve-chart .js-plotly-plot');
              const line = gd._fullData[Number(gd.closest('#curve-chart').dataset.line)];
              const i = Array.from(line.x).indexOf(k);
              const layout = gd._fullLayout;
              const box = gd.getBoundingClientRect();
              return { x: box.left + layout._size.l + layout.xaxis.l2p(k), y: box.top + layout._size.t + layout.yaxis.l2p(line.y[i]) };
            }
            """, k + 2);
        await page.Mouse.ClickAsync((float)point.GetProperty("x").GetDouble(), (float)point.GetProperty("y").GetDouble());

        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/traces/{TraceId}/sentences/{k + 2}$"));
        await Assertions.Expect(page.Locator($"#sentence-detail .sentence-detail[data-index='{k + 2}']")).ToBeVisibleAsync(Visible);
        Assert.Equal([$"s-{k + 2}"], await SelectedAsync(page));
        Assert.InRange(await page.EvaluateAsync<double>("() => scrollY"), before - 60, before + 60);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task TheKeysMoveBetweenSentencesOpenTheDetailAndListTheShortcuts()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync(Path(5));
        await WaitForChartAsync(page);

        // One tab stop for the whole list: the selected sentence.
        Assert.Equal(["s-5"], await page.Locator("#sentences [tabindex='0']").EvaluateAllAsync<string[]>("els => els.map(e => e.id)"));
        Assert.Equal(BrowserApp.SentenceCount - 1, await page.Locator("#sentences [tabindex='-1']").CountAsync());
        await page.Locator("#s-5").FocusAsync();

        await page.Keyboard.PressAsync("j");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/sentences/6$"));
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/sentences/7$"));
        await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/sentences/8$"));
        await page.Keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/sentences/7$"));
        await page.Keyboard.PressAsync("End");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/sentences/{BrowserApp.SentenceCount - 1}$"));
        await page.Keyboard.PressAsync("Home");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/sentences/0$"));
        await page.Keyboard.PressAsync("ArrowLeft");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/sentences/0$"));
        await page.Locator("#s-7").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/sentences/7$"));
        await page.Keyboard.PressAsync("k");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/sentences/6$"));
        await Assertions.Expect(page.Locator("#sentence-detail .sentence-detail[data-index='6']")).ToBeVisibleAsync(Visible);
        Assert.Equal("s-6", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        Assert.Equal(["s-6"], await page.Locator("#sentences [tabindex='0']").EvaluateAllAsync<string[]>("els => els.map(e => e.id)"));

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#sentence-detail-article")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("#s-6")).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("?");
        var dialog = page.Locator(".mud-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync(Visible);
        await Assertions.Expect(dialog).ToContainTextAsync("next sentence");
        await Assertions.Expect(dialog).ToContainTextAsync("open the selected sentence's detail");
        // One row per shortcut the page answers to, each naming its keys.
        Assert.Equal(
            global::TraceViewer.Traces.ShortcutsDialog.Shortcuts.Select(s => string.Join(" ", s.Keys)),
            await dialog.Locator("tr").EvaluateAllAsync<string[]>("rows => rows.map(r => [...r.querySelectorAll('kbd')].map(k => k.textContent).join(' '))"));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task SelectingSentencesMakesHistoryThatBackAndForwardRestore()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync($"/traces/{TraceId}?effect=resampling");
        await WaitForChartAsync(page);
        await page.EvaluateAsync("() => window.__samePage = true");

        await page.Locator("#s-5").ClickAsync();
        await Assertions.Expect(page.Locator("#sentence-detail .sentence-detail[data-index='5']")).ToBeVisibleAsync(Visible);
        await page.Locator("#s-9").ClickAsync();
        await Assertions.Expect(page.Locator("#sentence-detail .sentence-detail[data-index='9']")).ToBeVisibleAsync(Visible);
        Assert.EndsWith($"/traces/{TraceId}/sentences/9?effect=resampling", page.Url, StringComparison.Ordinal);

        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("#sentence-detail .sentence-detail[data-index='5']")).ToBeVisibleAsync(Visible);
        Assert.EndsWith($"/traces/{TraceId}/sentences/5?effect=resampling", page.Url, StringComparison.Ordinal);
        Assert.Equal(["s-5"], await SelectedAsync(page));
        await page.GoForwardAsync();
        await Assertions.Expect(page.Locator("#sentence-detail .sentence-detail[data-index='9']")).ToBeVisibleAsync(Visible);
        Assert.Equal(["s-9"], await SelectedAsync(page));
        Assert.True(await page.EvaluateAsync<bool>("() => window.__samePage === true"), "a selection reloaded the document");
        Assert.Contains(app.Trace.Sentences[9].Text, await page.Locator("#sentence-detail .detail-text").TextContentAsync(), StringComparison.Ordinal);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task CopyLinkCopiesTheWholeViewAndTheCopiedLinkOpensIt()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = app.BaseAddress.GetLeftPart(UriPartial.Authority) });
        await page.GotoAsync($"/traces/{TraceId}?outcome=is_correct&effect=kl&threshold=0.8&dim=0.25&tags=on");
        await WaitForChartAsync(page);
        await page.Locator("#s-12").ClickAsync();
        await Assertions.Expect(page.Locator("#sentence-detail .sentence-detail[data-index='12']")).ToBeVisibleAsync(Visible);

        await page.Locator("[data-testid=copy-link]").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Link copied");
        var copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");

        Assert.Equal(new Uri(app.BaseAddress, $"/traces/{TraceId}/sentences/12?outcome=is_correct&effect=kl&threshold=0.8&dim=0.25&tags=on").ToString(), copied);
        await using var other = await app.NewPageAsync(Viewports.Laptop);
        await other.Page.GotoAsync(copied);
        await WaitForChartAsync(other.Page);
        Assert.Equal(["s-12"], await SelectedAsync(other.Page));
        await Assertions.Expect(other.Page.Locator("[data-testid=effect-switch] a[data-effect=kl]")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(other.Page.Locator("[data-testid=dim-filter] a[data-dim='0.25']")).ToHaveAttributeAsync("aria-current", "true");
        await Assertions.Expect(other.Page.Locator("[data-testid=tag-legend]")).ToBeVisibleAsync();
        Assert.Equal(copied, other.Page.Url);
        AssertLandedOn(await PlaceAsync(other.Page, 12), 12);
        Assert.Empty(browser.Errors);
        Assert.Empty(other.Errors);
    }

    [Theory]
    [InlineData("/traces/987654", "There is no trace with id 987654.")]
    [InlineData("/traces/{id}/sentences/60", "has no sentence 60")]
    [InlineData("/traces/{id}/sentences/-1", "Not found")]
    public async Task UnknownTraceOrSentenceShowsTheNotFoundPage(string address, string message)
    {
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;

        var response = await page.GotoAsync(address.Replace("{id}", Invariant(TraceId), StringComparison.Ordinal));

        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.Locator("[data-testid='not-found']")).ToContainTextAsync(message);
        Assert.Equal(0, await page.Locator("#curve-chart").CountAsync());
    }

    [Fact]
    public async Task UntrustedSentenceTextRendersAsTextAndNeverRuns()
    {
        const int k = BrowserApp.HostileIndex;
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync(Path(k + 1));
        await WaitForChartAsync(page);

        await page.Locator($"#s-{k}").ClickAsync();
        await Assertions.Expect(page.Locator($"#sentence-detail .sentence-detail[data-index='{k}']")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(page.Locator("#sentence-detail .alternative-text").First).ToBeVisibleAsync(Visible);

        Assert.Equal(BrowserApp.HostileSentence, await page.Locator($"#s-{k}").TextContentAsync());
        Assert.Equal(BrowserApp.HostileSentence, await page.Locator("#sentence-detail .detail-text").TextContentAsync());
        Assert.Contains(BrowserApp.HostileSentence, await page.Locator("#sentence-detail .alternative-text").AllTextContentsAsync());
        Assert.Equal(0, await page.Locator("#sentences script, #sentences img, #sentence-detail script, #sentence-detail img, .top-sentences img").CountAsync());
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__pwned"));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task ThePrerenderedTraceIsCarriedIntoTheCircuitWithoutReadingAgain()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var before = Reads();
        (await http.GetAsync(Path(33))).EnsureSuccessStatusCode();
        var prerender = Reads() - before;
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;

        before = Reads();
        await page.GotoAsync(Path(33));
        await WaitForChartAsync(page);
        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("aria-label", "Switch to the light theme");

        // The page reads the trace and its sentence, the jobs panel its jobs, the page's head whether the trace's dataset
        // is public (only then may it be indexed).
        Assert.InRange(prerender, 1, 11);
        // The circuit reads nothing again; only the jobs panel's progress feed looks once at the trace's stored results
        // when the panel subscribes (then only while a job of the trace runs).
        await Wait.UntilAsync(() => Reads() - before >= prerender + 1, TimeSpan.FromSeconds(10), "the progress feed's first look");
        Assert.Equal(prerender + 1, Reads() - before);

        // Another sentence reads only its resamples (grouped with their labels, one command) and links; another effect reads nothing.
        await page.EvaluateAsync("() => window.__samePage = true");
        before = Reads();
        await page.Locator("#s-34").ClickAsync();
        await Assertions.Expect(page.Locator("#s-34")).ToHaveAttributeAsync("aria-current", "true");
        await Assertions.Expect(page.Locator("#sentence-detail .alternative").First).ToBeVisibleAsync(Visible);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__samePage === true"), "selecting a sentence reloaded the document");
        // The selection shows before its resamples arrive; the reads are counted once they have.
        await Wait.UntilAsync(() => Reads() - before >= 2, TimeSpan.FromSeconds(10), "the sentence's resamples and links");
        await page.Locator("#s-35").ClickAsync();
        await Assertions.Expect(page.Locator("#sentence-detail .sentence-detail[data-index='35'] .alternative").First).ToBeVisibleAsync(Visible);
        await Wait.UntilAsync(() => Reads() - before >= 4, TimeSpan.FromSeconds(10), "the next sentence's resamples and links");
        Assert.Equal(4, Reads() - before);
        before = Reads();
        await page.Locator("[data-testid=effect-switch] a[data-effect=resampling]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=effect-switch] a[data-effect=resampling]")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Equal(0, Reads() - before);
        Assert.Empty(browser.Errors);
    }

    private int Reads() =>
        app.Queries.CountReadingAny("Trace", "Sentence", "TraceLabel", "MetricSet", "SentenceMetric", "Resample", "SentenceLinkRow");

    /// <summary>What the reader sees without scrolling: the viewport only.</summary>
    private static async Task<string> ViewportShotAsync(IPage page, string name)
    {
        var path = System.IO.Path.Combine(BrowserApp.ArtifactsDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        return path;
    }
}
