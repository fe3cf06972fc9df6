using System.Globalization;
using Microsoft.Playwright;

namespace TraceViewer.BrowserTests.Jobs;

/// <summary>The trace page's Judge tab: a judge job started there is listed with its judge and runs to the end live.</summary>
public sealed class JudgeJobTests(JobsBrowserApp app) : IClassFixture<JobsBrowserApp>
{
    [Fact]
    public async Task AJudgeJobStartedFromTheJudgeTabIsListedAndRunsToTheEnd()
    {
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync($"/traces/{app.TraceId}");
        await page.WaitForCircuitAsync();
        await page.Locator("[data-testid=trace-jobs] .mud-tab", new() { HasText = "Judge" }).ClickAsync();
        var form = page.Locator("[data-testid=judge-form]");
        await Assertions.Expect(form).ToBeVisibleAsync(new() { Timeout = 10_000 });

        await form.Locator("input[data-field=votes]").FillAsync("0");
        await form.Locator("input[data-field=votes]").PressAsync("Tab");
        await form.Locator("[data-testid=judge-submit]").ClickAsync();
        await Assertions.Expect(form.Locator(".mud-input-helper-text.mud-input-error", new() { HasText = "votes must be between 1 and 100." })).ToBeVisibleAsync(new() { Timeout = 10_000 });

        await form.Locator("input[data-field=votes]").FillAsync("2");
        await form.Locator("input[data-field=votes]").PressAsync("Tab");
        await form.Locator("[data-field=target]").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "the base trace" }).ClickAsync();
        await Assertions.Expect(form.Locator("input[data-field=judge-from]")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await form.Locator("[data-testid=judge-submit]").ClickAsync();

        var link = page.Locator("[data-testid=job-created] a");
        await Assertions.Expect(link).ToBeVisibleAsync(new() { Timeout = 10_000 });
        var id = int.Parse((await link.TextContentAsync())!.Trim().TrimStart('#'), CultureInfo.InvariantCulture);
        var job = page.Locator($"[data-testid=trace-jobs] .trace-job[data-job-id='{id}']");
        await Assertions.Expect(job.Locator(".trace-job-what")).ToContainTextAsync("af-five-criteria on the base trace", new() { Timeout = 10_000 });
        await Assertions.Expect(job.Locator("[data-field=status]")).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });
        Assert.Equal("1", await job.Locator(".job-progress").GetAttributeAsync("data-done"));

        await page.Locator("[data-testid=trace-jobs]").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(BrowserApp.ArtifactsDirectory, "trace-judge-job.png") });
        Assert.Empty(browser.Errors);
    }
}
