using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Jobs;

public sealed class ResampleJobTests(JobsBrowserApp app, ITestOutputHelper output) : IClassFixture<JobsBrowserApp>
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 20_000 };

    /// <summary>Starts a resampling job through the JSON API, as a script or the trace's jobs panel does.</summary>
    private async Task<int> StartAsync(int traceId, int from, int to, int n)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var response = await http.PostAsJsonAsync("/api/jobs", new { traceId, positions = new { from, to }, n, provider = "loop", model = "model-x" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt32();
    }

    [Fact]
    public async Task AResampleJobProgressesLivePausesResumesFinishesAndItsMetricsReachTheTracePage()
    {
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync($"/traces/{app.TraceId}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("#curve-chart .js-plotly-plot")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        var before = await LineAsync(page);
        var countBefore = await page.Locator("[data-field=resample-count]").TextContentAsync();

        var first = await StartAsync(app.TraceId, 0, 6, 4);
        await page.GotoAsync($"/jobs/{first}");

        // The bar advances without a reload: the job page polls its fragment.
        await WaitForDoneAsync(page, atLeast: 2);
        var seen = await DoneAsync(page);
        await WaitForDoneAsync(page, atLeast: seen + 1);
        Assert.Equal(28, int.Parse((await page.Locator("#job-summary .job-progress").GetAttributeAsync("data-total"))!, CultureInfo.InvariantCulture));

        await page.Locator("#job-summary [data-action=pause]").ClickAsync();
        await Assertions.Expect(page.Locator("#job-summary [data-field=status]")).ToHaveTextAsync("Paused", Soon);
        await Task.Delay(2_000);
        var pausedAt = await DoneAsync(page);
        await Task.Delay(2_500);
        Assert.Equal(pausedAt, await DoneAsync(page));
        Assert.True(pausedAt < 28, $"the job finished before it could be paused ({pausedAt} done)");

        await page.Locator("#job-summary [data-action=resume]").ClickAsync();
        await WaitForDoneAsync(page, atLeast: pausedAt + 1);
        await Assertions.Expect(page.Locator("#job-summary [data-field=status]")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });
        Assert.Equal(28, await DoneAsync(page));

        // The worker recomputes the trace's metrics from the new labelled resamples; the trace page shows them.
        await page.GotoAsync($"/traces/{app.TraceId}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator(".chart-caption")).ToContainTextAsync("computed from resamples", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("#curve-chart .js-plotly-plot")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        var after = await LineAsync(page);
        output.WriteLine($"before: {JsonSerializer.Serialize(before)}\nafter: {JsonSerializer.Serialize(after)}");
        // Positions after the decision to comply now comply in every resample.
        Assert.Contains(after.Y, y => y > 0.99);
        Assert.DoesNotContain(before.Y, y => y > 0.99);
        await Assertions.Expect(page.Locator("#s-4")).ToHaveAttributeAsync("data-direction", "promotes");
        await Assertions.Expect(page.Locator(".provenance-panel [data-field=source]")).ToHaveTextAsync("computed from the stored resamples");
        await Assertions.Expect(page.Locator("[data-field=resample-count]")).Not.ToHaveTextAsync(countBefore!);

        Assert.DoesNotContain(JobsBrowserApp.KeyMarker, await page.ContentAsync(), StringComparison.Ordinal);
        foreach (var address in new[] { "/jobs", $"/jobs/{first}" })
        {
            await page.GotoAsync(address);
            Assert.DoesNotContain(JobsBrowserApp.KeyMarker, await page.ContentAsync(), StringComparison.Ordinal);
        }

        Assert.Contains($"Bearer {JobsBrowserApp.KeyMarker}", app.Server.AuthorizationHeaders);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task TheJobsPageShowsJobsAndItsButtonsChangeThem()
    {
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;
        var id = (await StartAsync(app.OtherTraceId, 0, 3, 50)).ToString(CultureInfo.InvariantCulture);

        await page.GotoAsync("/jobs");
        var row = page.Locator($"#job-table tr[data-job-id='{id}']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await row.Locator("a[href^='/jobs/']").ClickAsync();
        await Assertions.Expect(page.Locator("#job-summary")).ToHaveAttributeAsync("data-job-id", id);
        await page.Locator("#job-summary [data-action=pause]").ClickAsync();
        await Assertions.Expect(page.Locator("#job-summary [data-field=status]")).ToHaveTextAsync("Paused", Soon);
        await page.Locator("#job-summary [data-action=cancel]").ClickAsync();
        await Assertions.Expect(page.Locator("#job-summary [data-field=status]")).ToHaveTextAsync("Cancelled", Soon);

        Assert.Equal(0, await page.Locator("#job-summary [data-action]").CountAsync());
        Assert.Null(await page.Locator("#job-summary").GetAttributeAsync("hx-trigger"));
        Assert.Empty(browser.Errors);
    }

    private static async Task<int> DoneAsync(IPage page) =>
        int.Parse((await page.Locator("#job-summary .job-progress").GetAttributeAsync("data-done"))!, CultureInfo.InvariantCulture);

    private static async Task WaitForDoneAsync(IPage page, int atLeast) =>
        await page.WaitForFunctionAsync(
            "n => Number(document.querySelector('#job-summary .job-progress')?.dataset.done) >= n",
            atLeast, new() { Timeout = 30_000 });

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
