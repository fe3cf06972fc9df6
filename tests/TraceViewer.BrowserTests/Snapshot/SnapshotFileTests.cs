using Microsoft.Playwright;
using TraceViewer.Tests;
using TraceViewer.Tests.Snapshot;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Snapshot;

/// <summary>A snapshot of the fixtures, a hostile trace and a study, published once, and Chromium to open it from file://.</summary>
public sealed class FileSnapshot : IAsyncLifetime
{
    private TestApp App { get; } = new();
    private IPlaywright? _playwright;

    internal SnapshotData Data { get; private set; } = default!;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"traceviewer-snapshot-{Guid.NewGuid():N}", "site");

    public IBrowser Browser { get; private set; } = default!;

    public string Url(string page) => new Uri(Path.Combine(Folder, page)).AbsoluteUri;

    public async Task InitializeAsync()
    {
        Data = await SnapshotSeeder.SeedAsync(App);
        var (exit, _, error) = await SnapshotSeeder.PublishAsync(App, "1", "2", Data.HostileDatasetKey, Data.StudyDatasetKey, Folder);
        if (exit != 0)
        {
            throw new InvalidOperationException("publish failed: " + error);
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await BrowserApp.LaunchChromiumAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        App.Dispose();
        Directory.Delete(Path.GetDirectoryName(Folder)!, recursive: true);
    }
}

public sealed class SnapshotFileTests(FileSnapshot snapshot, ITestOutputHelper output) : IClassFixture<FileSnapshot>
{
    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task ADeepLinkFromFileSelectsTheSentenceShowsItsDetailsAndDrawsTheCurve(string viewport)
    {
        await using var browser = await BrowserApp.OpenPageAsync(snapshot.Browser, new Uri(snapshot.Url("index.html")), viewport);
        var page = browser.Page;

        await page.GotoAsync(snapshot.Url("trace-1.html") + "#s-12");

        var sentence = page.Locator("#s-12");
        await Assertions.Expect(sentence).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(page.Locator(".sentence[aria-selected='true']")).ToHaveCountAsync(1);
        var detail = page.GetByTestId("detail");
        await Assertions.Expect(detail).ToHaveAttributeAsync("data-index", "12");
        await Assertions.Expect(detail.Locator("h2")).ToHaveTextAsync("Sentence 12");
        await Assertions.Expect(detail.Locator(".quote")).ToHaveTextAsync(await sentence.TextContentAsync() ?? "");
        await Assertions.Expect(detail).ToContainTextAsync("Rate resampled from here");
        await Assertions.Expect(detail).ToContainTextAsync("resamples here; what they said instead");
        await Assertions.Expect(detail.Locator(".alternatives li").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("curve")).ToHaveAttributeAsync("data-drawn", "true");
        Assert.True(await page.Locator("#curve .scatterlayer .point").CountAsync() > 100);
        // The selected sentence's line on the curve.
        await Assertions.Expect(page.Locator("#curve .shapelayer path")).ToHaveCountAsync(1);
        await Assertions.Expect(sentence).ToBeInViewportAsync();
        await Assertions.Expect(detail.Locator("h2")).ToBeInViewportAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"snapshot-trace-{viewport}", fullPage: false));

        // Another sentence by its link: the selection moves.
        await page.Locator("#s-3").ClickAsync();
        await Assertions.Expect(page.Locator("#s-3")).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(sentence).ToHaveAttributeAsync("aria-selected", "false");
        await Assertions.Expect(detail).ToHaveAttributeAsync("data-index", "3");
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheIndexAndStudyPagesOpenFromFile(string viewport)
    {
        await using var browser = await BrowserApp.OpenPageAsync(snapshot.Browser, new Uri(snapshot.Url("index.html")), viewport);
        var page = browser.Page;

        await page.GotoAsync(snapshot.Url("index.html"));
        await Assertions.Expect(page.GetByTestId("dataset")).ToHaveCountAsync(4);
        await Assertions.Expect(page.GetByTestId("start-rate").First).ToBeVisibleAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"snapshot-index-{viewport}"));

        await page.GetByTestId("study-link").ClickAsync();
        await Assertions.Expect(page.Locator("#study-chart .main-svg").First).ToBeVisibleAsync();
        Assert.Equal(4, await page.Locator("#study-chart .bars .point").CountAsync());
        await Assertions.Expect(page.GetByTestId("study-table").Locator("tbody tr")).ToHaveCountAsync(2);
        // The table fits its box; it does not scroll sideways inside it either.
        Assert.True(await page.GetByTestId("study-table").EvaluateAsync<bool>("t => t.scrollWidth <= t.parentElement.clientWidth"));
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"snapshot-study-{viewport}"));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task HostileTextIsShownAsTextAndRunsNothing()
    {
        await using var browser = await BrowserApp.OpenPageAsync(snapshot.Browser, new Uri(snapshot.Url("index.html")), Viewports.Laptop);
        var page = browser.Page;

        await page.GotoAsync(snapshot.Url($"trace-{snapshot.Data.HostileTraceId}.html") + $"#s-{SnapshotSeeder.HostileIndex}");

        var detail = page.GetByTestId("detail");
        await Assertions.Expect(detail.Locator(".quote")).ToHaveTextAsync(SnapshotSeeder.HostileSentence);
        await Assertions.Expect(page.Locator($"#s-{SnapshotSeeder.HostileIndex}")).ToHaveTextAsync(SnapshotSeeder.HostileSentence);
        await Assertions.Expect(page.GetByTestId("trace-title")).ToHaveTextAsync(SnapshotSeeder.HostileTitle);
        Assert.Equal(0, await page.Locator("main img, main script").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"));
        output.WriteLine(await page.ScreenshotAsync("snapshot-hostile-laptop", fullPage: false));
        Assert.Empty(browser.Errors);
    }
}
