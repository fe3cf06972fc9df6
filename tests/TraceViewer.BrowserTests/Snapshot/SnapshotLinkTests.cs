using Microsoft.Playwright;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Snapshot;

/// <summary>The app with a snapshot address set, so its trace page links to the snapshot.</summary>
public sealed class SnapshotLinkedBrowserApp : BrowserApp
{
    public const string SnapshotUrl = "https://example.org/paper/";

    public SnapshotLinkedBrowserApp() => App.WithSetting("Snapshot:BaseUrl", SnapshotUrl);
}

public sealed class SnapshotLinkTests(SnapshotLinkedBrowserApp app, ITestOutputHelper output) : IClassFixture<SnapshotLinkedBrowserApp>
{
    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheTracePageLinksToTheSelectedSentenceInTheSnapshot(string viewport)
    {
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        var id = app.Trace.TraceId;

        await page.GotoAsync($"/traces/{id}/sentences/5");
        await page.WaitForCircuitAsync();

        var link = page.GetByTestId("snapshot-link");
        await Assertions.Expect(link).ToHaveAttributeAsync("href", $"{SnapshotLinkedBrowserApp.SnapshotUrl}trace-{id}.html#s-5");
        await page.Locator("#s-9").ClickAsync();
        await Assertions.Expect(page.Locator("#s-9")).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(link).ToHaveAttributeAsync("href", $"{SnapshotLinkedBrowserApp.SnapshotUrl}trace-{id}.html#s-9");
        await page.AssertNoSidewaysScrollAsync(viewport);
        await link.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(link).ToBeInViewportAsync();
        output.WriteLine(await page.ScreenshotAsync($"trace-snapshot-link-{viewport}", fullPage: false));
        Assert.Empty(browser.Errors);
    }
}
