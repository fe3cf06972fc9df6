using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TraceViewer.Tests;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Traces;

public sealed class TraceListTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    /// <summary>Seeds <paramref name="count"/> one-sentence traces T00, T01... of a new model; importance rises with the number.</summary>
    private async Task<string> SeedAsync(int count)
    {
        var model = $"list-{Guid.NewGuid():N}";
        for (var i = 0; i < count; i++)
        {
            await TraceSeeder.SeedAsync(app.App, new TraceSeed
            {
                Model = model, Title = $"T{i:00}", Sentences = ["One."], ResamplesPerSentence = 1, Successes = _ => 1, MaxImportance = i / 100.0,
            });
        }

        return model;
    }

    private static ILocator FirstTitle(IPage page) => page.Locator("tr.trace-row a.trace-title").First;

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task FiltersSortAndPageAreInTheAddressAndBackAndForwardRestoreTheView(string viewport)
    {
        var model = await SeedAsync(27);
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/traces?model={model}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(FirstTitle(page)).ToHaveTextAsync("T26");
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"traces-{viewport}"));

        await page.ChooseAsync("sort", "Title");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/traces\\?model={model}&sort=title$"));
        await Assertions.Expect(FirstTitle(page)).ToHaveTextAsync("T00");
        await page.Locator(".url-pager a[rel=next]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/traces\\?model={model}&sort=title&page=2$"));
        await Assertions.Expect(FirstTitle(page)).ToHaveTextAsync("T25");
        await page.AssertNoSidewaysScrollAsync(viewport);

        await page.GoBackAsync();
        await Assertions.Expect(FirstTitle(page)).ToHaveTextAsync("T00");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/traces\\?model={model}&sort=title$"));
        await page.GoBackAsync();
        await Assertions.Expect(FirstTitle(page)).ToHaveTextAsync("T26");
        await Assertions.Expect(page.Locator("input[data-filter=sort]")).ToHaveValueAsync("Largest importance");
        await page.GoForwardAsync();
        await Assertions.Expect(FirstTitle(page)).ToHaveTextAsync("T00");
        await Assertions.Expect(page.Locator("input[data-filter=sort]")).ToHaveValueAsync("Title");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task TypingASearchFiltersTheListThroughTheAddress()
    {
        var model = await SeedAsync(2);
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync($"/traces?model={model}");
        await page.WaitForCircuitAsync();

        await page.Locator("input[data-filter=q]").FillAsync("no such words");

        await Assertions.Expect(page.Locator("[data-testid=empty-state]")).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("q=no%20such%20words"));
        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("tr.trace-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("input[data-filter=q]")).ToHaveValueAsync("");
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData("/datasets")]
    [InlineData("/traces?model={model}&sort=title")]
    public async Task ThePrerenderedPageIsCarriedIntoTheCircuitWithoutReadingAgain(string address)
    {
        var model = await SeedAsync(3);
        var url = address.Replace("{model}", model, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var before = Reads();
        (await http.GetAsync(url)).EnsureSuccessStatusCode();
        var prerender = Reads() - before;
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;

        before = Reads();
        await page.GotoAsync(url);
        await page.WaitForCircuitAsync();
        // One round trip through the circuit after its first render, so anything it started reading has run.
        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("aria-label", "Switch to the light theme");

        Assert.True(prerender > 0);
        Assert.Equal(prerender, Reads() - before);

        // The circuit does read when the address asks for another view: the count above would have seen it.
        await page.GotoAsync("/datasets");
        await page.WaitForCircuitAsync();
        before = Reads();
        await page.Locator("header nav.app-nav a", new() { HasText = "Traces" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr.trace-row").First).ToBeVisibleAsync();
        Assert.True(Reads() > before, "navigating to the trace list inside the circuit read nothing");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task ATraceLinkOpensTheTracePageInTheCircuitWithItsChart()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync($"/traces?q={Uri.EscapeDataString("Step 12 of")}");
        await page.WaitForCircuitAsync();
        await page.EvaluateAsync("() => window.__samePage = true");

        await page.Locator($"td[data-trace-id='{app.Trace.TraceId}'] a").ClickAsync();

        await Assertions.Expect(page.Locator("#curve-chart .js-plotly-plot")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        Assert.EndsWith($"/traces/{app.Trace.TraceId}", page.Url, StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__samePage === true"), "the trace page reloaded the document");
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.htmx"));
        Assert.Empty(browser.Errors);
    }

    private int Reads() =>
        app.Queries.CountReading("Trace") + app.Queries.CountReading("Dataset") + app.Queries.CountReading("Outcome");
}
