using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TraceViewer.Tests;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Search;

public sealed class SearchPageTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static ILocator Hits(IPage page) => page.Locator("tr.hit");

    private static ILocator FirstSentence(IPage page) => page.Locator("tr.hit a.hit-link").First;

    /// <summary>A dataset of two traces whose 40 sentences each say "anchor"; sentence 38 of the second has the largest effect.</summary>
    private async Task<int> SeedAsync()
    {
        var key = $"search/{Guid.NewGuid():N}";
        SeededTrace? trace = null;
        for (var t = 0; t < 2; t++)
        {
            trace = await TraceSeeder.SeedAsync(app.App, new TraceSeed
            {
                DatasetKey = key, DatasetName = "Searchable problems", Title = $"Searchable problem {t + 1}",
                Sentences = [.. Enumerable.Range(0, 40).Select(k => k == 5 && t == 0
                    ? BrowserApp.HostileSentence + " The anchor holds."
                    : $"Sentence {k} checks whether the anchor of the argument holds, and then moves on to the next step.")],
                Counterfactual = k => (k % 2 == 0 ? (k + 2) / 100.0 : -k / 100.0) + t / 1000.0,
                Tags = k => k % 2 == 0 ? ["active_computation"] : ["plan_generation", "uncertainty_management"],
            });
        }

        return trace!.DatasetId;
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task FiltersAndPageAreInTheAddressAndBackAndForwardRestoreTheView(string viewport)
    {
        var dataset = await SeedAsync();
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/search?dataset={dataset}&text=anchor");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator(".result-count")).ToHaveAttributeAsync("data-total", "80");
        await Assertions.Expect(page.Locator("tr.hit mark.match").First).ToHaveTextAsync("anchor");
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"search-{viewport}"));
        output.WriteLine(await page.ScreenshotAsync($"search-{viewport}-screen", fullPage: false));

        await page.ChooseAsync("outcome", "Correct answer");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/search\\?dataset={dataset}&text=anchor&outcome=is_correct$"));
        await Assertions.Expect(FirstSentence(page)).ToContainTextAsync("Sentence 38 checks");
        await Assertions.Expect(page.Locator("tr.hit .hit-effect").First).ToHaveAttributeAsync("data-direction", "promotes");
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"search-effects-{viewport}"));
        output.WriteLine(await page.ScreenshotAsync($"search-effects-{viewport}-screen", fullPage: false));
        await page.Locator("tr.hit").Nth(2).ScrollIntoViewIfNeededAsync();
        output.WriteLine(await page.ScreenshotAsync($"search-effects-{viewport}-hits", fullPage: false));
        await page.Locator(".url-pager a[rel=next]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/search\\?dataset={dataset}&text=anchor&outcome=is_correct&page=2$"));
        await Assertions.Expect(Hits(page)).ToHaveCountAsync(30);

        await page.GoBackAsync();
        await Assertions.Expect(Hits(page)).ToHaveCountAsync(50);
        await Assertions.Expect(FirstSentence(page)).ToContainTextAsync("Sentence 38 checks");
        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("input[data-filter=outcome]")).ToHaveValueAsync("No outcome");
        await Assertions.Expect(FirstSentence(page)).ToContainTextAsync("Sentence 0 checks");
        await page.GoForwardAsync();
        await Assertions.Expect(page.Locator("input[data-filter=outcome]")).ToHaveValueAsync("Correct answer");
        await Assertions.Expect(FirstSentence(page)).ToContainTextAsync("Sentence 38 checks");
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__pwned"));
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task AHitOpensItsTraceAtTheSentenceWithItsOutcomeAndEffect(string viewport)
    {
        const int k = 12;
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/search?text={Uri.EscapeDataString($"Step {k} of")}&outcome=is_correct&effect=kl");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(Hits(page)).ToHaveCountAsync(1);

        await FirstSentence(page).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/traces/{app.Trace.TraceId}/sentences/{k}\\?outcome=is_correct&effect=kl$"));
        await Assertions.Expect(page.Locator(".sentence[aria-current='true']", new() { HasText = $"Step {k} of the argument" })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task TypingWordsSearchesThroughTheAddress()
    {
        var dataset = await SeedAsync();
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync($"/search?dataset={dataset}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator(".result-count")).ToHaveAttributeAsync("data-total", "80");

        // Every word must be a whole word of the sentence: only the hostile sentence has all three.
        await page.Locator("input[data-filter=text]").FillAsync("anchor holds comply");

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("text=anchor%20holds%20comply"));
        await Assertions.Expect(Hits(page)).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tr.hit mark.match")).ToHaveTextAsync(["comply", "anchor", "holds"]);
        await Assertions.Expect(page.Locator("tr.hit a.hit-link")).ToContainTextAsync("<script>");
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__pwned"));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task ThePrerenderedHitsAreCarriedIntoTheCircuitWithoutSearchingAgain()
    {
        var dataset = await SeedAsync();
        var url = $"/search?dataset={dataset}&text=anchor&outcome=is_correct";
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var before = Reads();
        (await http.GetAsync(url)).EnsureSuccessStatusCode();
        var prerender = Reads() - before;
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;

        before = Reads();
        await page.GotoAsync(url);
        await page.WaitForCircuitAsync();
        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("aria-label", "Switch to the light theme");

        Assert.True(prerender > 0);
        Assert.Equal(prerender, Reads() - before);
        Assert.Empty(browser.Errors);
    }

    private int Reads() => app.Queries.CountReading("Sentence") + app.Queries.CountReading("Dataset") + app.Queries.CountReading("Outcome");
}
