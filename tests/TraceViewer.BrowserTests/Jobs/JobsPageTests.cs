using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using TraceViewer.Jobs;
using TraceViewer.Tests;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Jobs;

/// <summary>
/// The jobs list, a job's page and the trace's jobs panel in Chromium while the worker runs jobs against the loopback
/// provider: progress arrives without a reload, and pause, resume and cancel change the job.
/// </summary>
public sealed class JobsPageTests(JobsBrowserApp app, ITestOutputHelper output) : IClassFixture<JobsBrowserApp>
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 20_000 };

    /// <summary>Waits until a paused job holds no running item (the worker gave them back) and returns its done count.</summary>
    internal static async Task<int> WaitUntilPausedAsync(TestApp app, int jobId)
    {
        var done = 0;
        await Wait.UntilAsync(async () =>
        {
            await using var db = app.CreateDbContext();
            var items = await db.Set<JobItem>().Where(i => i.JobId == jobId).GroupBy(i => i.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
            var status = await db.Set<Job>().Where(j => j.Id == jobId).Select(j => j.Status).SingleAsync();
            done = items.Where(i => i.Key == JobItemStatus.Done).Sum(i => i.Count);
            return status == JobStatus.Paused && !items.Any(i => i.Key == JobItemStatus.Running);
        }, TimeSpan.FromSeconds(20), $"job {jobId} paused with nothing running");
        return done;
    }

    private async Task<int> StartAsync(int traceId, int n)
    {
        using var client = new HttpClient { BaseAddress = app.BaseAddress };
        var response = await client.PostAsJsonAsync("/api/jobs", new { kind = "resample", traceId, n, provider = "loop" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt32();
    }

    private static async Task<int> DoneAsync(ILocator scope) =>
        int.Parse((await scope.Locator("[data-testid=job-progress]").First.GetAttributeAsync("data-done"))!, CultureInfo.InvariantCulture);

    private static async Task WaitForDoneAsync(IPage page, string scope, int atLeast) =>
        await page.WaitForFunctionAsync(
            "([scope, n]) => Number(document.querySelector(scope)?.querySelector('[data-testid=job-progress]')?.dataset.done) >= n",
            new object[] { scope, atLeast }, new() { Timeout = 30_000 });

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheListAndTheJobPageFollowARunningJobAndItsButtonsPauseResumeAndCancelIt(string viewport)
    {
        var trace = await app.NewTraceAsync();
        var id = await StartAsync(trace, n: 6);
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;

        await page.GotoAsync("/jobs");
        await page.WaitForCircuitAsync();
        await page.EvaluateAsync("() => window.__sameDocument = true");
        var row = $"tr:has(td[data-job-id='{id}'])";
        await WaitForDoneAsync(page, row, 1);
        var seen = await DoneAsync(page.Locator(row));
        await WaitForDoneAsync(page, row, seen + 2);
        await Assertions.Expect(page.Locator(row).Locator("[data-field=status]")).ToHaveTextAsync("Running");
        Assert.NotEqual("–", await page.Locator(row).Locator("td[data-field=eta]").TextContentAsync());
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"jobs-{viewport}"));

        await page.Locator(row).Locator($"a[href='/jobs/{id}']").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Resample job #{id}");
        var summary = $"[data-testid=job-summary][data-job-id='{id}']";
        seen = await DoneAsync(page.Locator(summary));
        await WaitForDoneAsync(page, summary, seen + 1);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the job page was reached by a reload, not in the circuit");

        await page.Locator(summary).Locator("button[data-action=pause]").ClickAsync();
        await Assertions.Expect(page.Locator(summary).Locator("[data-field=status]")).ToHaveTextAsync("Paused", Soon);
        var pausedAt = await WaitUntilPausedAsync(app.App, id);
        await Assertions.Expect(page.Locator(summary).Locator("[data-testid=job-progress]")).ToHaveAttributeAsync("data-done", pausedAt.ToString(CultureInfo.InvariantCulture), new() { Timeout = 10_000 });
        Assert.Equal(["resume", "cancel"], await page.Locator(summary).Locator("button[data-action]").EvaluateAllAsync<string[]>("bs => bs.map(b => b.dataset.action)"));

        await page.Locator(summary).Locator("button[data-action=resume]").ClickAsync();
        await WaitForDoneAsync(page, summary, pausedAt + 1);
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"job-{viewport}"));
        await page.Locator(summary).Locator("button[data-action=cancel]").ClickAsync();
        await Assertions.Expect(page.Locator(summary).Locator("[data-field=status]")).ToHaveTextAsync("Cancelled", Soon);

        Assert.Equal(0, await page.Locator(summary).Locator("button[data-action]").CountAsync());
        Assert.DoesNotContain(JobsBrowserApp.KeyMarker, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheTracePanelChecksItsFormStartsAJobFollowsItAndReportsStoredResults(string viewport)
    {
        var trace = await app.NewTraceAsync();
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"{TraceJobsProbeApp.Path}?trace={trace}");
        await page.WaitForCircuitAsync();
        var form = page.Locator("[data-testid=resample-form]");

        await form.Locator("input[data-field=n]").FillAsync("0");
        await form.Locator("input[data-field=n]").PressAsync("Tab");
        await form.Locator("[data-testid=resample-submit]").ClickAsync();
        await Assertions.Expect(form.Locator(".mud-input-helper-text.mud-input-error").First).ToHaveTextAsync("n must be between 1 and 10000.");
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"trace-jobs-form-error-{viewport}"));
        await form.Locator("input[data-field=n]").FillAsync("2");
        await form.Locator("input[data-field=n]").PressAsync("Tab");
        await Assertions.Expect(form.Locator("[data-testid=resample-size]")).ToHaveTextAsync($"{JobsBrowserApp.Sentences.Count} positions × 2 = {JobsBrowserApp.Sentences.Count * 2} requests");
        await form.Locator("[data-testid=resample-submit]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=job-created] a")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        var id = (await page.Locator("[data-testid=job-created] a").TextContentAsync())!.TrimStart('#');
        var job = $"li.trace-job[data-job-id='{id}']";
        await WaitForDoneAsync(page, job, 2);
        await Assertions.Expect(page.Locator("#results-stored")).Not.ToHaveTextAsync("0", new() { Timeout = 20_000 });
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"trace-jobs-running-{viewport}"));
        await Assertions.Expect(page.Locator(job).Locator("[data-field=status]")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });

        Assert.Equal(JobsBrowserApp.Sentences.Count * 2, await DoneAsync(page.Locator(job)));
        Assert.Equal("0", await page.Locator(job).Locator("[data-field=errors]").TextContentAsync());
        Assert.NotEqual("–", await page.Locator(job).Locator("[data-field=cost]").TextContentAsync());
        Assert.Empty(browser.Errors);
    }
}
