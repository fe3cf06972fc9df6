using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Traces;

/// <summary>The app with its bundled sample data: the MATH problem (LaTeX, step links from step_importance.json) and the blackmail scenario.</summary>
public sealed class SampleBrowserApp : BrowserApp
{
    public SampleBrowserApp() => App.WithSetting("SampleData:ImportOnStart", "true");

    public async Task<int> TraceIdAsync(string title)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        var list = await http.GetFromJsonAsync<JsonElement>("/api/traces?pageSize=200");
        return list.GetProperty("items").EnumerateArray().First(t => t.GetProperty("title").GetString() == title).GetProperty("id").GetInt32();
    }
}

public sealed class SampleTraceTests(SampleBrowserApp app, ITestOutputHelper output) : IClassFixture<SampleBrowserApp>
{
    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task AMathTraceTypesetsItsLatexKeepsTheSourceOneClickAwayAndShowsItsLinks(string viewport)
    {
        var id = await app.TraceIdAsync("Nested Multiplication");
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;

        await page.GotoAsync($"/traces/{id}/sentences/3");
        await page.WaitForCircuitAsync();

        var math = page.Locator("#s-3 .tv-math[data-typeset='true'] .katex");
        await Assertions.Expect(math).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        Assert.Equal("3(1+3(1+3(1+3(1+3(1+3(1+3(1+3(1+3(1+3)))))))))", await page.Locator("#s-3 .tv-math").GetAttributeAsync("data-tex"));
        await Assertions.Expect(page.Locator("#s-3 .tv-math-src")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("[data-testid=ground-truth]")).ToContainTextAsync("88572");
        await Assertions.Expect(page.Locator("[data-testid=base-answer]")).ToContainTextAsync("88572");
        var links = page.Locator("[data-testid=sentence-links] .link-kind");
        await Assertions.Expect(links).ToHaveCountAsync(2);
        Assert.Equal(["resampling_match", "attention_suppression"], await links.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.kind)"));
        Assert.True(await page.Locator("[data-testid=sentence-links] [data-direction=drives] li").CountAsync() > 0);
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"trace-math-{viewport}"));
        await page.EvaluateAsync("() => document.querySelector('.trace-header').scrollIntoView()");
        var top = System.IO.Path.Combine(BrowserApp.ArtifactsDirectory, $"trace-math-{viewport}-top.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = top });
        output.WriteLine(top);

        await page.Locator("[data-testid=math-toggle]").ClickAsync();
        await Assertions.Expect(page.Locator("#s-3 .tv-math-src")).ToBeVisibleAsync();
        Assert.Contains("$3(1+3(", await page.Locator("#s-3").InnerTextAsync(), StringComparison.Ordinal);
        Assert.EndsWith($"/traces/{id}/sentences/3?math=source", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#s-3 .katex")).ToBeHiddenAsync();
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task WithoutASentenceTheTraceOpensOnItsMostImportantOne()
    {
        var id = await app.TraceIdAsync("Email Automation");
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;

        await page.GotoAsync($"/traces/{id}");
        await page.WaitForCircuitAsync();

        var top = await page.Locator("[data-testid=top-sentences] li").First.GetAttributeAsync("data-index");
        await Assertions.Expect(page.Locator($"#sentence-detail .sentence-detail[data-index='{top}']")).ToBeVisibleAsync();
        Assert.Equal("true", await page.Locator($"#s-{top}").GetAttributeAsync("aria-selected"));
        await Assertions.Expect(page.Locator("[data-testid=no-recompute]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=recompute-form]")).ToHaveCountAsync(0);
        output.WriteLine(await page.ScreenshotAsync("trace-blackmail-laptop"));
        Assert.Empty(browser.Errors);
    }
}
