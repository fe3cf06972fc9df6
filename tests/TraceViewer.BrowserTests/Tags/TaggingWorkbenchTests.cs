using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TraceViewer.Tags;
using TraceViewer.Tests;
using TraceViewer.Accounts;
using TraceViewer.BrowserTests.Accounts;
using TraceViewer.Tests.Accounts;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Tags;

/// <summary>The keyboard-first tagging workbench on the trace page, as the local owner (every right).</summary>
public sealed class TaggingWorkbenchTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static readonly LocatorAssertionsToHaveCountOptions Soon = new() { Timeout = 15_000 };

    private string Path(int k) => $"/traces/{app.Trace.TraceId}/sentences/{k}";

    /// <summary>Opens sentence k live, opens the workbench with t and puts the focus on the sentence.</summary>
    internal static async Task OpenWorkbenchAsync(IPage page, string path, int k)
    {
        await page.GotoAsync(path);
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator(".trace-page[data-keys='ready']")).ToHaveCountAsync(1, Soon);
        await page.Locator($"#s-{k}").FocusAsync();
        await page.Keyboard.PressAsync("t");
        await Assertions.Expect(page.Locator("[data-testid=tag-panel]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.Locator($"#s-{k}").FocusAsync();
    }

    private static ILocator Chip(IPage page, int k, string tag) => page.Locator($"#s-{k} .tag-chip[data-tag='{tag}']");

    private static ILocator Saved(IPage page, int k) => page.Locator($"#s-{k}[data-save='saved']");

    [Fact]
    public async Task ARangeTaggedWithShiftArrowsAndADigitIsThereAfterAReload()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await OpenWorkbenchAsync(page, Path(10), 10);

        await page.Keyboard.PressAsync("Shift+ArrowDown");
        await page.Keyboard.PressAsync("Shift+ArrowDown");
        await Assertions.Expect(page.Locator(".sentence[data-in-range]")).ToHaveCountAsync(3);
        await page.Keyboard.PressAsync("2");

        foreach (var k in new[] { 10, 11, 12 })
        {
            await Assertions.Expect(Chip(page, k, "plan_generation")).ToHaveCountAsync(1, Soon);
            await Assertions.Expect(Saved(page, k)).ToHaveCountAsync(1, Soon);
        }

        await Assertions.Expect(Chip(page, 13, "plan_generation")).ToHaveCountAsync(0);
        // The selected sentence's detail lists the new tag as the annotator's.
        await Assertions.Expect(page.Locator("[data-testid=sentence-detail] .detail-tags .tag-chip[data-tag='plan_generation'][data-annotator-kind='Person']"))
            .ToHaveCountAsync(1, Soon);
        await Assertions.Expect(page.Locator("[data-testid=tag-status]")).ToHaveAttributeAsync("data-state", "saved");

        await page.ReloadAsync();
        await page.WaitForCircuitAsync();
        foreach (var k in new[] { 10, 11, 12 })
        {
            await Assertions.Expect(Chip(page, k, "plan_generation")).ToHaveCountAsync(1, Soon);
        }

        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task UUndoesMyLatestChange()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await OpenWorkbenchAsync(page, Path(20), 20);

        await page.Keyboard.PressAsync("3");
        await Assertions.Expect(Chip(page, 20, "fact_retrieval")).ToHaveCountAsync(1, Soon);
        await Assertions.Expect(Saved(page, 20)).ToHaveCountAsync(1, Soon);

        await page.Keyboard.PressAsync("u");
        await Assertions.Expect(Chip(page, 20, "fact_retrieval")).ToHaveCountAsync(0, Soon);
        await Assertions.Expect(page.Locator("[data-testid=tag-status]")).ToHaveAttributeAsync("data-state", "saved");

        await page.ReloadAsync();
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("[data-testid=tag-panel]")).ToBeVisibleAsync();
        await Assertions.Expect(Chip(page, 20, "fact_retrieval")).ToHaveCountAsync(0);

        // ? lists the workbench's keys beside the others.
        await Assertions.Expect(page.Locator(".trace-page[data-keys='ready']")).ToHaveCountAsync(1, Soon);
        await page.Keyboard.PressAsync("?");
        var shortcuts = page.Locator(".mud-dialog");
        await Assertions.Expect(shortcuts).ToContainTextAsync("undo your latest change", new() { Timeout = 10_000 });
        await Assertions.Expect(shortcuts).ToContainTextAsync("extend the selection to a range");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task NWritesANoteOnMyTagOfTheSentence()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await OpenWorkbenchAsync(page, Path(25), 25);

        await page.Keyboard.PressAsync("1");
        await Assertions.Expect(Saved(page, 25)).ToHaveCountAsync(1, Soon);
        await page.Keyboard.PressAsync("n");
        var text = page.Locator("#tag-note-text");
        await Assertions.Expect(text).ToBeFocusedAsync(new() { Timeout = 10_000 });
        await page.Keyboard.TypeAsync("restates the question");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#s-25 .chip-note")).ToHaveTextAsync(": restates the question", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=tag-note]")).ToHaveCountAsync(0);

        await page.ReloadAsync();
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("#s-25 .chip-note")).ToHaveTextAsync(": restates the question", new() { Timeout = 15_000 });
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task KeysPressedWhileTheConnectionIsDownAreAllSavedOnceItIsBack()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        var offline = false;
        IWebSocketRoute? socket = null;
        await page.RouteWebSocketAsync(new Regex("/_blazor"), ws =>
        {
            if (offline)
            {
                _ = ws.CloseAsync();
                return;
            }

            socket = ws;
            ws.ConnectToServer();
        });
        await page.RouteAsync("**/_blazor/negotiate**", route => offline ? route.AbortAsync() : route.ContinueAsync());
        await OpenWorkbenchAsync(page, Path(30), 30);

        offline = true;
        await socket!.CloseAsync();
        // Keys while the circuit is cut off: a range of four sentences and two tags on it.
        await page.Keyboard.PressAsync("Shift+J");
        await page.Keyboard.PressAsync("Shift+J");
        await page.Keyboard.PressAsync("Shift+J");
        await page.Keyboard.PressAsync("5");
        await page.Keyboard.PressAsync("6");
        await Assertions.Expect(page.Locator(".trace-page[data-tag-queue='2']")).ToHaveCountAsync(1, Soon);
        await Assertions.Expect(page.Locator("#s-31[data-queued]")).ToHaveCountAsync(1);

        offline = false;
        await page.EvaluateAsync("() => window.Blazor.reconnect()");
        foreach (var k in new[] { 30, 31, 32, 33 })
        {
            await Assertions.Expect(Chip(page, k, "uncertainty_management")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
            await Assertions.Expect(Chip(page, k, "result_consolidation")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
            await Assertions.Expect(Saved(page, k)).ToHaveCountAsync(1, Soon);
        }

        await Assertions.Expect(page.Locator(".trace-page[data-tag-queue='0']")).ToHaveCountAsync(1, Soon);

        // Saved once each, not twice (a resend does not toggle back): a fresh page shows them.
        await using var again = await app.NewPageAsync(Viewports.Laptop);
        await again.Page.GotoAsync(Path(30) + "?tagging=" + await page.Locator("[data-testid=tag-panel]").GetAttributeAsync("data-taxonomy"));
        foreach (var k in new[] { 30, 31, 32, 33 })
        {
            await Assertions.Expect(Chip(again.Page, k, "uncertainty_management")).ToHaveCountAsync(1, Soon);
            await Assertions.Expect(Chip(again.Page, k, "result_consolidation")).ToHaveCountAsync(1, Soon);
        }
    }

    [Fact]
    public async Task TwoTabsOfOneAnnotatorConverge()
    {
        await using var first = await app.NewPageAsync(Viewports.Laptop);
        await using var second = await app.NewPageAsync(Viewports.Laptop);
        await OpenWorkbenchAsync(first.Page, Path(40), 40);
        await OpenWorkbenchAsync(second.Page, Path(40), 40);

        await first.Page.Keyboard.PressAsync("7");
        await Assertions.Expect(Chip(first.Page, 40, "self_checking")).ToHaveCountAsync(1, Soon);
        await Assertions.Expect(Chip(second.Page, 40, "self_checking")).ToHaveCountAsync(1, Soon);

        // The other tab undoes it (the same annotator's latest change): the first follows.
        await second.Page.Keyboard.PressAsync("u");
        await Assertions.Expect(Chip(second.Page, 40, "self_checking")).ToHaveCountAsync(0, Soon);
        await Assertions.Expect(Chip(first.Page, 40, "self_checking")).ToHaveCountAsync(0, Soon);
        Assert.Empty(first.Errors);
        Assert.Empty(second.Errors);
    }

    [Fact]
    public async Task AChangeWrittenElsewhereReachesAnOpenWorkbench()
    {
        const int k = 42;
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await OpenWorkbenchAsync(page, Path(k), k);

        // Written as another instance would: straight through the writer, so no in-process notice reaches the page.
        await using (var scope = app.App.Services.CreateAsyncScope())
        {
            await using var db = app.App.CreateDbContext();
            var taxonomy = await db.Set<Taxonomy>().Where(t => t.Name == BuiltInTaxonomies.Functions).Select(t => t.Id).SingleAsync();
            var tag = await db.Set<Tag>().Where(t => t.TaxonomyId == taxonomy && t.Name == "problem_setup").Select(t => t.Id).SingleAsync();
            await scope.ServiceProvider.GetRequiredService<TagWriter>().ToggleAsync(
                TagAuthor.Person(BuiltInTaxonomies.LocalPerson), taxonomy, [tag], [app.Trace.Sentences[k].Id], CancellationToken.None);
        }

        await Assertions.Expect(Chip(page, k, "problem_setup")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task BlindModeHidesAColleaguesTagsUntilISubmitTheTrace()
    {
        const int k = 35;
        await using (var db = app.App.CreateDbContext())
        {
            var tag = await db.Set<Tag>().Where(t => t.Name == "monitoring").Select(t => t.Id).SingleAsync();
            db.Add(new SentenceTag
            {
                SentenceId = app.Trace.Sentences[k].Id, TagId = tag, AnnotatorKind = AnnotatorKind.Person, Annotator = "colleague",
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await OpenWorkbenchAsync(page, Path(k), k);
        await page.Locator("[data-testid=tag-taxonomy]").SelectOptionAsync(new SelectOptionValue { Label = BuiltInTaxonomies.Reasoning });
        await Assertions.Expect(page.Locator("[data-testid=tag-panel] li[data-tag='monitoring']")).ToHaveCountAsync(1, Soon);
        await Assertions.Expect(Chip(page, k, "monitoring")).ToHaveCountAsync(0);

        await page.Locator("[data-testid=tag-layers] [data-layer=everyone]").ClickAsync();
        await Assertions.Expect(page.Locator($"#s-{k} .tag-chip[data-tag='monitoring'][data-mine='false']")).ToHaveCountAsync(1, Soon);

        await page.Locator("[data-testid=tag-blind]").CheckAsync();
        await Assertions.Expect(Chip(page, k, "monitoring")).ToHaveCountAsync(0, Soon);
        await Assertions.Expect(page.Locator("[data-testid=tag-blind-note]")).ToBeVisibleAsync();

        await page.Locator("[data-testid=tag-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=tag-submitted]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(Chip(page, k, "monitoring")).ToHaveCountAsync(1, Soon);
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task ThePanelAndTheSelectedSentenceFitTheScreen(string viewport)
    {
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        // Each viewport its own sentences: a second 4 on the same ones would take the tag off again.
        var k = viewport == Viewports.Laptop ? 50 : 54;
        await OpenWorkbenchAsync(page, Path(k), k);
        await page.Keyboard.PressAsync("Shift+ArrowDown");
        await page.Keyboard.PressAsync("4");
        await Assertions.Expect(Saved(page, k + 1)).ToHaveCountAsync(1, Soon);
        await Assertions.Expect(Chip(page, k + 1, "active_computation")).ToHaveCountAsync(1, Soon);

        await page.AssertNoSidewaysScrollAsync(viewport);
        await Assertions.Expect(page.Locator($"#s-{k}")).ToBeInViewportAsync();
        await Assertions.Expect(page.Locator("[data-testid=tag-keys]")).ToBeInViewportAsync();
        var covered = await page.EvaluateAsync<bool>(
            """
            k => {
              const s = document.getElementById(`s-${k}`).getBoundingClientRect();
              const sheet = document.querySelector('.side-detail');
              if (getComputedStyle(sheet).position !== 'fixed') return false;
              return s.bottom > sheet.getBoundingClientRect().top;
            }
            """, k);
        Assert.False(covered, "the selected sentence is under the detail sheet");
        var path = System.IO.Path.Combine(BrowserApp.ArtifactsDirectory, $"tagging-{viewport}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        output.WriteLine(path);

        // The top of the page: the title row with its Tag button.
        await page.Locator(".trace-header").ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(page.Locator("[data-testid=tag-mode]")).ToBeInViewportAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        var top = System.IO.Path.Combine(BrowserApp.ArtifactsDirectory, $"tagging-{viewport}-top.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = top });
        output.WriteLine(top);
        Assert.Empty(browser.Errors);
    }
}

/// <summary>A reader sees the tags but has no tag keys.</summary>
public sealed class ReaderTaggingTests(AccountsBrowserApp app) : IClassFixture<AccountsBrowserApp>
{
    [Fact]
    public async Task AReaderSeesTheTagsButCannotTag()
    {
        await app.EnsureAdminAsync();
        const string email = "tag-reader@example.test";
        await app.App.AddAccountAsync(email, Roles.Reader);
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await AccountsBrowserApp.SignInAsync(browser, email);

        await TaggingWorkbenchTests.OpenWorkbenchAsync(page, $"/traces/{app.Trace.TraceId}/sentences/5", 5);
        await Assertions.Expect(page.Locator("[data-testid=tag-read-only]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=tag-keys] kbd")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=tag-submit]")).ToHaveCountAsync(0);

        await page.Keyboard.PressAsync("1");
        await page.Keyboard.PressAsync("n");
        // Whatever was sent would be answered by now: a later key's effect (leaving the workbench) has rendered.
        await page.Keyboard.PressAsync("t");
        await Assertions.Expect(page.Locator("[data-testid=tag-panel]")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#s-5 .tag-chip")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".trace-page[data-tag-queue]:not([data-tag-queue='0'])")).ToHaveCountAsync(0);
        Assert.Empty(browser.Errors);
    }
}

/// <summary>The app whose SQLite writes can be made to fail at an exact moment.</summary>
public sealed class FailingWritesBrowserApp : BrowserApp
{
    public FailingWritesBrowserApp()
        : base(s => s.ConfigureDbContext<TraceViewer.Data.SqliteTraceViewerDbContext>(options => options.AddInterceptors(Writes)))
    {
    }

    internal static FailingWrites Writes { get; } = new();
}

/// <summary>A save that fails is shown and sent again until it is saved, once.</summary>
public sealed class TaggingFaultTests(FailingWritesBrowserApp app) : IClassFixture<FailingWritesBrowserApp>
{
    [Fact]
    public async Task AFailedSaveIsShownAndRetriedUntilItIsSavedOnce()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await TaggingWorkbenchTests.OpenWorkbenchAsync(page, $"/traces/{app.Trace.TraceId}/sentences/45", 45);

        FailingWritesBrowserApp.Writes.Failing = true;
        try
        {
            await page.Keyboard.PressAsync("8");
            await Assertions.Expect(page.Locator("#s-45[data-save='failed']")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
            await Assertions.Expect(page.Locator("[data-testid=tag-status]")).ToHaveAttributeAsync("data-state", "failed");
            await Assertions.Expect(page.Locator(".trace-page[data-tag-queue='1']")).ToHaveCountAsync(1);
            // Sent again while the disk still fails: more than one refused write.
            await Wait.UntilAsync(() => Task.FromResult(FailingWritesBrowserApp.Writes.Refused >= 2), TimeSpan.FromSeconds(15), "a second attempt");
        }
        finally
        {
            FailingWritesBrowserApp.Writes.Failing = false;
        }

        await Assertions.Expect(page.Locator("#s-45 .tag-chip[data-tag='final_answer_emission']")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#s-45[data-save='saved']")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator(".trace-page[data-tag-queue='0']")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await using var db = app.App.CreateDbContext();
        var rows = await db.Set<SentenceTag>().CountAsync(t => t.SentenceId == app.Trace.Sentences[45].Id && t.Annotator == BuiltInTaxonomies.LocalPerson);
        Assert.Equal(1, rows);
    }
}
