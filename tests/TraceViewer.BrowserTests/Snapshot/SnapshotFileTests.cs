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
        var (exit, _, error) = await SnapshotSeeder.PublishAsync(App, "1", "2", Data.HostileDatasetKey, Data.StudyDatasetKey, Data.AnalysedDatasetKey, Folder);
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

        if (viewport == Viewports.Laptop)
        {
            // Opened without a sentence in the address, a trace's text starts on the first screen, under the curve, the
            // shut analyses and the tag legend: the plain trace, the analysed one and the tagged one.
            foreach (var id in new[] { 1, snapshot.Data.AnalysedTraceIds[0], snapshot.Data.HostileTraceId })
            {
                await page.GotoAsync(snapshot.Url($"trace-{id}.html"));
                await page.WaitForFunctionAsync("() => { const c = document.getElementById('curve'); return !c || c.getAttribute('data-drawn') === 'true'; }");
                Assert.Equal(0, await page.EvaluateAsync<double>("() => window.scrollY"));
                var first = await page.Locator("#s-0").BoundingBoxAsync();
                output.WriteLine($"trace-{id}: first sentence at {first!.Y:0} px");
                // Within the 900 px screen, with room for three of its 1.8-line-height lines under it.
                Assert.InRange(first.Y, 0, 900 - 100);
            }

            output.WriteLine(await page.ScreenshotAsync("snapshot-trace-top-laptop", fullPage: false));
        }

        await page.GotoAsync(snapshot.Url("trace-1.html") + "#s-12");

        var sentence = page.Locator("#s-12");
        await Assertions.Expect(sentence).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(page.Locator(".sentence[aria-selected='true']")).ToHaveCountAsync(1);
        var detail = page.GetByTestId("detail");
        await Assertions.Expect(detail).ToHaveAttributeAsync("data-index", "12");
        await Assertions.Expect(detail.Locator("h2")).ToHaveTextAsync("Sentence 12");
        await Assertions.Expect(detail.Locator(".quote")).ToHaveTextAsync(await sentence.Locator(".text").TextContentAsync() ?? "");
        // Its imported function tag is on it, and the detail says who gave it.
        await Assertions.Expect(sentence.Locator(".chips:not([hidden]) .tag-chip").First).ToBeVisibleAsync();
        await Assertions.Expect(detail.GetByTestId("detail-tags")).ToContainTextAsync("imported from");
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
        await Assertions.Expect(page.GetByTestId("dataset")).ToHaveCountAsync(5);
        await Assertions.Expect(page.GetByTestId("start-rate").First).ToBeVisibleAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"snapshot-index-{viewport}"));

        await page.GetByTestId("study-link").First.ClickAsync();
        await Assertions.Expect(page.Locator("#study-chart .main-svg").First).ToBeVisibleAsync();
        Assert.Equal(4, await page.Locator("#study-chart .bars .point").CountAsync());
        await Assertions.Expect(page.GetByTestId("study-table").Locator("tbody tr")).ToHaveCountAsync(2);
        // The table fits its box; it does not scroll sideways inside it either.
        Assert.True(await page.GetByTestId("study-table").EvaluateAsync<bool>("t => t.scrollWidth <= t.parentElement.clientWidth"));
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"snapshot-study-{viewport}"));
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheAnalysesDrawFromFileAndAPointSelectsItsSentence(string viewport)
    {
        await using var browser = await BrowserApp.OpenPageAsync(snapshot.Browser, new Uri(snapshot.Url("index.html")), viewport);
        var page = browser.Page;
        var id = snapshot.Data.AnalysedTraceIds[0];

        await page.GotoAsync(snapshot.Url($"trace-{id}.html") + "#s-2");

        await Assertions.Expect(page.Locator("#s-2")).ToHaveAttributeAsync("aria-selected", "true");
        var analyses = page.GetByTestId("analyses");
        var chart = page.GetByTestId("analysis-chart");
        // The analyses wait behind their summary line, so the text comes first; the line opens them.
        Assert.False(await analyses.EvaluateAsync<bool>("d => d.open"));
        await Assertions.Expect(chart).Not.ToHaveAttributeAsync("data-drawn", "true");
        await page.Locator("[data-testid=analyses] > summary").ClickAsync();

        await Assertions.Expect(chart).ToHaveAttributeAsync("data-drawn", "true");
        await Assertions.Expect(chart.Locator(".scatterlayer .point")).ToHaveCountAsync(6);
        await Assertions.Expect(page.GetByTestId("pearson")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("concentration-table").Locator("tbody tr")).ToHaveCountAsync(2);
        await chart.ScrollIntoViewIfNeededAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"snapshot-analyses-{viewport}", fullPage: false));

        // A point is a sentence: clicking it selects that sentence.
        var point = await chart.Locator(".scatterlayer .trace").First.Locator(".point").First.BoundingBoxAsync();
        var index = await page.EvaluateAsync<int>("() => window.traceViewerSnapshot.analysisFigure.points[0][0]");
        await page.Mouse.ClickAsync(point!.X + point.Width / 2, point.Y + point.Height / 2);
        await Assertions.Expect(page.Locator($"#s-{index}")).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(page.GetByTestId("detail")).ToHaveAttributeAsync("data-index", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // The study: the strips and the medians, and each query in both tiers.
        await page.GotoAsync(snapshot.Url($"study-{snapshot.Data.AnalysedDatasetId}.html"));
        await Assertions.Expect(page.GetByTestId("concentration-strips")).ToHaveAttributeAsync("data-drawn", "true");
        await Assertions.Expect(page.GetByTestId("correlation-strips")).ToHaveAttributeAsync("data-drawn", "true");
        await Assertions.Expect(page.GetByTestId("study-analyses-table").Locator("tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".pair")).ToHaveCountAsync(2);
        Assert.True(await page.GetByTestId("study-analyses-table").EvaluateAsync<bool>("t => t.scrollWidth <= t.parentElement.clientWidth"));
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"snapshot-study-analyses-{viewport}"));
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TagsShowOnTheSentenceADeepLinkLandsOnWithTheirLayersAndLegends(string viewport)
    {
        await using var browser = await BrowserApp.OpenPageAsync(snapshot.Browser, new Uri(snapshot.Url("index.html")), viewport);
        var page = browser.Page;
        var index = SnapshotSeeder.HostileIndex;

        await page.GotoAsync(snapshot.Url($"trace-{snapshot.Data.HostileTraceId}.html") + $"#s-{index}");

        var sentence = page.Locator($"#s-{index}");
        await Assertions.Expect(sentence).ToHaveAttributeAsync("aria-selected", "true");
        var chips = sentence.Locator(".chips:not([hidden]) .tag-chip");
        await Assertions.Expect(chips).ToHaveCountAsync(2);
        await Assertions.Expect(chips.Last).ToBeInViewportAsync();
        await Assertions.Expect(chips.Last).ToHaveTextAsync("active computation2/3");
        await Assertions.Expect(chips.Last).ToHaveAttributeAsync("data-by", "Import:viewer-bundle, Person:bob");
        await Assertions.Expect(page.GetByTestId("tag-legend")).ToHaveCountAsync(2);
        var detail = page.GetByTestId("detail");
        var tags = detail.GetByTestId("detail-tags");
        await Assertions.Expect(tags).ToBeVisibleAsync();
        await Assertions.Expect(tags.Locator("li")).ToHaveCountAsync(5);
        // Tag names read as words (underscores as spaces), as on the live page.
        var words = SnapshotSeeder.HostileTag.Replace('_', ' ');
        await Assertions.Expect(tags).ToContainTextAsync(words);
        await Assertions.Expect(tags).ToContainTextAsync("bob: " + SnapshotSeeder.HostileNote);
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"snapshot-tags-{viewport}", fullPage: false));

        // The consensus keeps what most of the sentence's annotators gave; the other taxonomy shows its own chips.
        await page.GetByTestId("tags").Locator("[data-tag-layer=consensus]").ClickAsync();
        await Assertions.Expect(chips).ToHaveCountAsync(1);
        await Assertions.Expect(chips).ToHaveAttributeAsync("data-tag", "active_computation");
        await page.GetByTestId("tags").Locator("[data-tag-layer=everyone]").ClickAsync();
        await page.GetByTestId("tags").Locator("[data-tag-taxonomy]").Last.ClickAsync();
        await Assertions.Expect(chips).ToHaveCountAsync(1);
        await Assertions.Expect(chips).ToHaveTextAsync(words + "2/2");
        await page.GetByTestId("tags").Locator("[data-tag-layer=off]").ClickAsync();
        await Assertions.Expect(page.Locator(".chips:not([hidden])")).ToHaveCountAsync(0);
        Assert.Equal(0, await page.Locator("main img, main script").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"));
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
        await Assertions.Expect(page.Locator($"#s-{SnapshotSeeder.HostileIndex} .text")).ToHaveTextAsync(SnapshotSeeder.HostileSentence);
        await Assertions.Expect(page.GetByTestId("trace-title")).ToHaveTextAsync(SnapshotSeeder.HostileTitle);
        Assert.Equal(0, await page.Locator("main img, main script").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"));
        output.WriteLine(await page.ScreenshotAsync("snapshot-hostile-laptop", fullPage: false));
        Assert.Empty(browser.Errors);
    }
}
