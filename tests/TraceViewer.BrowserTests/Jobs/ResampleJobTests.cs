using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Jobs;

/// <summary>The trace page's jobs panel on the real trace page: a job started there runs live and fills in the curve.</summary>
public sealed class ResampleJobTests(JobsBrowserApp app, ITestOutputHelper output) : IClassFixture<JobsBrowserApp>
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 20_000 };

    [Fact]
    public async Task AResampleJobStartedFromTheTracePageProgressesLivePausesResumesFinishesAndFillsInTheCurve()
    {
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync($"/traces/{app.TraceId}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("#curve-chart .js-plotly-plot")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        var before = await LineAsync(page);
        var countBefore = await page.Locator("[data-field=resample-count]").TextContentAsync();
        var form = page.Locator("[data-testid=resample-form]");

        await FillAsync(form, "from", "0");
        await FillAsync(form, "to", "6");
        await FillAsync(form, "n", "4");
        await form.Locator("[data-testid=resample-submit]").ClickAsync();
        var first = await CreatedAsync(page, 1);

        // The bar advances without a reload: progress is pushed through the circuit.
        await WaitForDoneAsync(page, first, atLeast: 2);
        var seen = await DoneAsync(page, first);
        await WaitForDoneAsync(page, first, atLeast: seen + 1);
        Assert.Equal(28, int.Parse((await Job(page, first).Locator(".job-progress").GetAttributeAsync("data-total"))!, CultureInfo.InvariantCulture));

        await Job(page, first).Locator("[data-action=pause]").ClickAsync();
        await Assertions.Expect(Job(page, first).Locator("[data-field=status]")).ToHaveTextAsync("Paused", Soon);
        // Paused for good once the worker has given back every item it held: nothing runs, the count stays.
        var pausedAt = await JobsPageTests.WaitUntilPausedAsync(app.App, first);
        await WaitForDoneAsync(page, first, atLeast: pausedAt);
        Assert.True(pausedAt < 28, $"the job finished before it could be paused ({pausedAt} done)");

        await FillAsync(form, "n", "10");
        await form.Locator("[data-testid=resample-submit]").ClickAsync();
        var second = await CreatedAsync(page, 2);
        Assert.NotEqual(first, second);
        await Job(page, second).Locator("[data-action=cancel]").ClickAsync();
        await Assertions.Expect(Job(page, second).Locator("[data-field=status]")).ToHaveTextAsync("Cancelled", Soon);
        Assert.Equal(0, await Job(page, second).Locator("[data-action]").CountAsync());

        await Job(page, first).Locator("[data-action=resume]").ClickAsync();
        await WaitForDoneAsync(page, first, atLeast: pausedAt + 1);
        await Assertions.Expect(Job(page, first).Locator("[data-field=status]")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });
        Assert.Equal(28, await DoneAsync(page, first));
        Assert.Equal("0", await Job(page, first).Locator("[data-field=errors]").TextContentAsync());
        Assert.NotEqual("–", await Job(page, first).Locator("[data-field=cost]").TextContentAsync());

        // The curve is redrawn from the recomputed metrics without a reload; recomputes of the positions finished
        // first may come before, so wait for the one that holds the positions after the decision to comply.
        await page.WaitForFunctionAsync(
            """
            () => {
              const gd = document.querySelector('#curve-chart .js-plotly-plot');
              const line = gd?.data?.[Number(gd.closest('#curve-chart').dataset.line)];
              return line && Array.from(line.y).some(y => y > 0.99);
            }
            """, null, new() { Timeout = 20_000 });
        var after = await LineAsync(page);
        output.WriteLine($"before: {JsonSerializer.Serialize(before)}\nafter: {JsonSerializer.Serialize(after)}");
        // Positions after the decision to comply now comply in every resample.
        Assert.Contains(after.Y, y => y > 0.99);
        Assert.DoesNotContain(before.Y, y => y > 0.99);
        await Assertions.Expect(page.Locator(".chart-caption")).ToContainTextAsync("computed from resamples", new() { Timeout = 10_000 });
        // The sentences and the provenance panel follow the new metrics too: the decision to comply now promotes compliance.
        await Assertions.Expect(page.Locator("#s-4")).ToHaveAttributeAsync("data-direction", "promotes", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator(".provenance-panel [data-field=source]")).ToHaveTextAsync("computed from the stored resamples", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("[data-field=resample-count]")).Not.ToHaveTextAsync(countBefore!, new() { Timeout = 10_000 });

        var path = Path.Combine(BrowserApp.ArtifactsDirectory, "trace-resample-job.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        var panelPath = Path.Combine(BrowserApp.ArtifactsDirectory, "trace-jobs-panel.png");
        await page.Locator("[data-testid=trace-jobs]").ScreenshotAsync(new LocatorScreenshotOptions { Path = panelPath });
        output.WriteLine($"screenshots: {path}, {panelPath}");
        Assert.True(new FileInfo(path).Length > 0);
        Assert.True(new FileInfo(panelPath).Length > 0);

        Assert.DoesNotContain(JobsBrowserApp.KeyMarker, await page.ContentAsync(), StringComparison.Ordinal);
        foreach (var address in new[] { "/jobs", $"/jobs/{first}", $"/jobs/{second}", $"/traces/{app.TraceId}" })
        {
            await page.GotoAsync(address);
            Assert.DoesNotContain(JobsBrowserApp.KeyMarker, await page.ContentAsync(), StringComparison.Ordinal);
        }

        Assert.Contains($"Bearer {JobsBrowserApp.KeyMarker}", app.Server.AuthorizationHeaders);
        Assert.Empty(browser.Errors);
    }

    private static ILocator Job(IPage page, int id) => page.Locator($"[data-testid=trace-jobs] .trace-job[data-job-id='{id}']");

    private static async Task FillAsync(ILocator form, string field, string value)
    {
        await form.Locator($"input[data-field={field}]").FillAsync(value);
        await form.Locator($"input[data-field={field}]").PressAsync("Tab");
    }

    /// <summary>The job the form just started, once the panel lists <paramref name="count"/> jobs.</summary>
    private static async Task<int> CreatedAsync(IPage page, int count)
    {
        await Assertions.Expect(page.Locator("[data-testid=trace-jobs] .trace-job")).ToHaveCountAsync(count, new() { Timeout = 10_000 });
        var link = page.Locator("[data-testid=job-created] a");
        await Assertions.Expect(link).ToBeVisibleAsync(new() { Timeout = 10_000 });
        return int.Parse((await link.TextContentAsync())!.Trim().TrimStart('#'), CultureInfo.InvariantCulture);
    }

    private static async Task<int> DoneAsync(IPage page, int id) =>
        int.Parse((await Job(page, id).Locator(".job-progress").GetAttributeAsync("data-done"))!, CultureInfo.InvariantCulture);

    private static async Task WaitForDoneAsync(IPage page, int id, int atLeast) =>
        await page.WaitForFunctionAsync(
            "([id, n]) => Number(document.querySelector(`[data-testid=trace-jobs] .trace-job[data-job-id='${id}'] .job-progress`)?.dataset.done) >= n",
            new[] { id, atLeast }, new() { Timeout = 30_000 });

    private static async Task<Line> LineAsync(IPage page)
    {
        var line = await page.EvaluateAsync<JsonElement>(
            "() => { const gd = document.querySelector('#curve-chart .js-plotly-plot'); const t = gd.data[Number(gd.closest('#curve-chart').dataset.line)]; return { x: Array.from(t.x), y: Array.from(t.y) }; }");
        return new Line(
            [.. line.GetProperty("x").EnumerateArray().Select(v => v.GetInt32())],
            [.. line.GetProperty("y").EnumerateArray().Select(v => v.GetDouble())]);
    }

    private sealed record Line(int[] X, double[] Y);
}
