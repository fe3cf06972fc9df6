using System.Globalization;
using Microsoft.Playwright;
using TraceViewer.Tags;
using TraceViewer.Tests;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Jobs;

/// <summary>
/// The trace page's Tag tab: a tag job started there runs live in the jobs panel against the loopback model server, and
/// its tags are in the workbench's everyone layer under the model's name.
/// </summary>
public sealed class TagTabTests : IClassFixture<JobsBrowserApp>
{
    private static readonly LocatorAssertionsToHaveCountOptions Soon = new() { Timeout = 15_000 };
    private readonly JobsBrowserApp _app;
    private readonly ITestOutputHelper _output;

    public TagTabTests(JobsBrowserApp app, ITestOutputHelper output)
    {
        _app = app;
        _output = output;
        // Two sentences get a tag each; every other sentence of the trace is answered "TAGS: none".
        _app.Server.Completion = LoopbackOpenAIServer.TagReplies(new Dictionary<string, string[]>
        {
            [JobsBrowserApp.Sentences[2]] = ["It says it is watched.\nTAGS: monitoring"],
            [JobsBrowserApp.Sentences[3]] = ["TAGS: rlhf_modification"],
        });
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task ATagJobStartedFromTheTagTabRunsLiveAndItsTagsAreTheModelsInTheEveryoneLayer(string viewport)
    {
        // Each viewport its own trace: a second job on the same one would skip the sentences the model already tagged.
        var traceId = viewport == Viewports.Laptop ? _app.TraceId : _app.OtherTraceId;
        await using var browser = await _app.NewPageAsync(viewport);
        var page = browser.Page;
        // The first page of a fresh app on a loaded machine can take longer than the default.
        await page.GotoAsync($"/traces/{traceId}", new() { Timeout = 90_000 });
        await page.WaitForCircuitAsync();
        await page.Locator("[data-testid=trace-jobs] .mud-tab", new() { HasText = "Tag" }).ClickAsync();
        var form = page.Locator("[data-testid=tag-form]");
        await Assertions.Expect(form).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await form.ScrollIntoViewIfNeededAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        _output.WriteLine(await page.ScreenshotAsync($"trace-tag-form-{viewport}", fullPage: false));

        // The API's rule, on its field, and nothing started.
        await form.Locator("input[data-field=tag-votes]").FillAsync("0");
        await form.Locator("input[data-field=tag-votes]").PressAsync("Tab");
        await form.Locator("[data-testid=tag-submit]").ClickAsync();
        await Assertions.Expect(form.Locator(".mud-input-helper-text.mud-input-error", new() { HasText = "votes must be between 1 and 100." })).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("[data-testid=job-created]")).ToHaveCountAsync(0);
        await page.AssertNoSidewaysScrollAsync(viewport);
        _output.WriteLine(await page.ScreenshotAsync($"trace-tag-form-error-{viewport}", fullPage: false));

        await form.Locator("input[data-field=tag-votes]").FillAsync("1");
        await form.Locator("input[data-field=tag-votes]").PressAsync("Tab");
        await form.Locator("[data-field=taxonomy]").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = BuiltInTaxonomies.Reasoning }).ClickAsync();
        await Assertions.Expect(form.Locator("[data-testid=tag-size]")).ToContainTextAsync($"up to {JobsBrowserApp.Sentences.Count} sentences");
        await form.Locator("[data-testid=tag-submit]").ClickAsync();

        var link = page.Locator("[data-testid=job-created] a");
        await Assertions.Expect(link).ToBeVisibleAsync(new() { Timeout = 10_000 });
        var id = int.Parse((await link.TextContentAsync())!.Trim().TrimStart('#'), CultureInfo.InvariantCulture);
        var job = page.Locator($"[data-testid=trace-jobs] .trace-job[data-job-id='{id}']");
        await Assertions.Expect(job.Locator(".trace-job-what")).ToContainTextAsync($"tag with {BuiltInTaxonomies.Reasoning}", new() { Timeout = 10_000 });
        await Assertions.Expect(job.Locator("[data-field=status]")).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });
        Assert.Equal(JobsBrowserApp.Sentences.Count.ToString(CultureInfo.InvariantCulture), await job.Locator(".job-progress").GetAttributeAsync("data-done"));
        await page.AssertNoSidewaysScrollAsync(viewport);

        // The workbench, everyone's layer: the model's tags, not the viewer's, named by provider and model.
        await page.GotoAsync($"/traces/{traceId}/sentences/2");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator(".trace-page[data-keys='ready']")).ToHaveCountAsync(1, Soon);
        await page.Locator("#s-2").FocusAsync();
        await page.Keyboard.PressAsync("t");
        await Assertions.Expect(page.Locator("[data-testid=tag-panel]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.Locator("[data-testid=tag-taxonomy]").SelectOptionAsync(new SelectOptionValue { Label = BuiltInTaxonomies.Reasoning });
        await page.Locator("[data-testid=tag-layers] [data-layer=everyone]").ClickAsync();

        var monitoring = page.Locator("#s-2 .tag-chip[data-tag='monitoring'][data-mine='false']");
        await Assertions.Expect(monitoring).ToHaveCountAsync(1, Soon);
        Assert.Equal("Model:loop/model-x", await monitoring.GetAttributeAsync("data-by"));
        await Assertions.Expect(page.Locator("#s-3 .tag-chip[data-tag='rlhf_modification'][data-by='Model:loop/model-x']")).ToHaveCountAsync(1, Soon);
        Assert.Equal(2, await page.Locator("a.sentence .tag-chip").CountAsync());
        Assert.Empty(browser.Errors);
    }
}
