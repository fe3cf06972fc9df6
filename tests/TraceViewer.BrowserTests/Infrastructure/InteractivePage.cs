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

    /// <summary>
    /// Every visible element of the page's main area that holds text lies inside the viewport and inside each ancestor
    /// that clips or scrolls it: a cell wider than its card is clipped, or scrolled inside the card, and the page's own
    /// width does not show either.
    /// </summary>
    private const string CutOff = """
            () => {
              const limit = e => {
                let right = document.documentElement.clientWidth, left = 0;
                for (let p = e.parentElement; p; p = p.parentElement) {
                  const o = getComputedStyle(p).overflowX;
                  if (o === 'visible') continue;
                  const b = p.getBoundingClientRect();
                  // Text kept for screen readers only (KaTeX's MathML, a visually hidden label) sits in a box of a pixel.
                  if (b.width <= 2 || b.height <= 2) return null;
                  right = Math.min(right, b.right); left = Math.max(left, b.left);
                }
                return { left, right };
              };
              return Array.from(document.querySelectorAll('main *'))
                .filter(e => !(e instanceof SVGElement) && e.checkVisibility({ visibilityProperty: true })
                  && Array.from(e.childNodes).some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== ''))
                .map(e => { const b = e.getBoundingClientRect(), l = limit(e); return { text: e.textContent.trim().slice(0, 40), left: Math.round(b.left), right: Math.round(b.right), limit: l }; })
                .filter(b => b.limit && (b.left < b.limit.left - 1 || b.right > b.limit.right + 1))
                .filter((b, i, all) => all.findIndex(o => o.text === b.text) === i);
            }
        """;

    /// <summary>
    /// Asserts nothing scrolls sideways: the document is no wider than the viewport the test asked for, and no text
    /// of the main area is cut off or scrolled out of sight inside a card, table or tab bar.
    /// </summary>
    public static async Task AssertNoSidewaysScrollAsync(this IPage page, string viewport)
    {
        var widths = await page.EvaluateAsync<JsonElement>(
            "() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })");
        var scroll = widths.GetProperty("scroll").GetInt32();
        var inner = widths.GetProperty("inner").GetInt32();
        Assert.True(inner == Viewports.Size(viewport).Width, $"the viewport is {inner} px wide, not {Viewports.Size(viewport).Width} px (the page zoomed out)");
        Assert.True(scroll <= inner, $"the page is {scroll} px wide in a {inner} px viewport");
        var cut = await page.EvaluateAsync<JsonElement>(CutOff);
        Assert.True(cut.GetArrayLength() == 0, $"text cut off or scrolled out of sight on {page.Url} at {viewport}: {cut}");
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
