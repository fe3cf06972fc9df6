using Microsoft.Playwright;
using TraceViewer.Tests;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Components;

public sealed class LayoutTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task NavigationIsReachableOnBothScreensAndMovesWithinTheDocument(string viewport)
    {
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync("/datasets");
        await page.WaitForCircuitAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"datasets-{viewport}"));
        var appBarLinks = page.Locator("header nav.app-nav a");
        if (viewport == Viewports.Phone)
        {
            await Assertions.Expect(appBarLinks.First).ToBeHiddenAsync();
            await page.Locator("[data-testid=nav-toggle]").ClickAsync();
        }

        var links = viewport == Viewports.Phone ? page.Locator(".mud-drawer a") : appBarLinks;
        // With no account yet the local owner holds every right, so the admin's Users page is listed too.
        await Assertions.Expect(links).ToHaveTextAsync(["Datasets", "Traces", "Search", "Agreement", "Kinds", "Jobs", "Import", "API", "Queues", "Shares", "Users"]);
        if (viewport == Viewports.Phone)
        {
            output.WriteLine(await page.ScreenshotAsync($"navigation-{viewport}"));
        }

        await page.EvaluateAsync("() => window.__samePage = true");
        await links.GetByText("Traces").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Traces");
        Assert.EndsWith("/traces", page.Url, StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__samePage === true"), "moving between interactive pages reloaded the document");
        await Assertions.Expect(page.Locator(".mud-drawer-open")).ToHaveCountAsync(0);

        // Every page is on the interactive stack: the next one renders inside the same document, without htmx.
        if (viewport == Viewports.Phone)
        {
            await page.Locator("[data-testid=nav-toggle]").ClickAsync();
        }

        await links.GetByText("Search").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Search sentences");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__samePage === true"), "moving to the search page reloaded the document");
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.htmx"));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task TheThemeIsRememberedAndPrerenderedInTheChosenColours()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync("/datasets");
        await page.WaitForCircuitAsync();
        var light = await BackgroundAsync(page);

        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("aria-label", "Switch to the light theme");
        var dark = await BackgroundAsync(page);

        Assert.NotEqual(light, dark);
        // The toggle renders first and then remembers the choice through a script module it may still be loading.
        await Wait.UntilAsync(async () => (await page.Context.CookiesAsync()).Any(c => c.Name == "tv-theme" && c.Value == "dark"),
            TimeSpan.FromSeconds(15), "the theme cookie to say dark");
        Assert.Empty(browser.Errors);

        // With the circuit blocked, the page stays as prerendered: it is already dark.
        await page.RouteAsync("**/_blazor/**", route => route.AbortAsync());
        await page.GotoAsync("/traces");
        Assert.Equal(dark, await BackgroundAsync(page));
        Assert.Equal(0, await page.Locator("[data-interactive]").CountAsync());
    }

    [Fact]
    public async Task AnUnknownAddressShowsTheNotFoundPageInTheInteractiveLayout()
    {
        await using var browser = await app.NewPageAsync(Viewports.Phone);
        var page = browser.Page;

        var response = await page.GotoAsync("/no-such-page");
        await page.WaitForCircuitAsync();

        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.Locator("[data-testid='not-found']")).ToContainTextAsync("There is nothing at this address.");
        await page.AssertNoSidewaysScrollAsync(Viewports.Phone);
        Assert.Equal(["HTTP 404: " + new Uri(app.BaseAddress, "/no-such-page")], browser.Errors);
    }

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
}
