using System.Text.Json;
using Microsoft.Playwright;

namespace TraceViewer.BrowserTests;

/// <summary>Waits and checks for pages on the interactive stack.</summary>
internal static class InteractivePage
{
    private static readonly LocatorAssertionsToHaveCountOptions CircuitTimeout = new() { Timeout = 15_000 };

    /// <summary>
    /// Waits until the circuit has rendered the layout: MainLayout sets <c>data-interactive</c> after its first
    /// interactive render, so from then on clicks reach C# handlers. Prerendered HTML never carries it.
    /// </summary>
    public static Task WaitForCircuitAsync(this IPage page) =>
        Assertions.Expect(page.Locator("[data-interactive='true']")).ToHaveCountAsync(1, CircuitTimeout);

    /// <summary>Asserts nothing scrolls sideways: the document is no wider than the viewport the test asked for.</summary>
    public static async Task AssertNoSidewaysScrollAsync(this IPage page, string viewport)
    {
        var widths = await page.EvaluateAsync<JsonElement>(
            "() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })");
        var scroll = widths.GetProperty("scroll").GetInt32();
        var inner = widths.GetProperty("inner").GetInt32();
        Assert.True(inner == Viewports.Size(viewport).Width, $"the viewport is {inner} px wide, not {Viewports.Size(viewport).Width} px (the page zoomed out)");
        Assert.True(scroll <= inner, $"the page is {scroll} px wide in a {inner} px viewport");
    }

    /// <summary>Saves a screenshot of the whole page (or of what the viewport shows) to artifacts/ and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(this IPage page, string name, bool fullPage = true)
    {
        var path = Path.Combine(BrowserApp.ArtifactsDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        Assert.True(new FileInfo(path).Length > 0, path);
        return path;
    }

    /// <summary>Opens a MudBlazor select by its input's data-filter and clicks one of its items.</summary>
    public static async Task ChooseAsync(this IPage page, string filter, string item)
    {
        await page.Locator($"input[data-filter='{filter}']").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new($"^{System.Text.RegularExpressions.Regex.Escape(item)}$") }).ClickAsync();
    }
}
