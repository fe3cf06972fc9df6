using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using TraceViewer.Accounts;
using TraceViewer.BrowserTests.Accounts;
using TraceViewer.Tags;
using TraceViewer.Tests;
using TraceViewer.Tests.Accounts;

namespace TraceViewer.BrowserTests.Tags;

/// <summary>Key presses left unsent by a page that closed are sent by the next page of the same annotator, once, and only as them.</summary>
public sealed class TagOutboxTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static readonly LocatorAssertionsToHaveCountOptions Long = new() { Timeout = 60_000 };

    /// <summary>Cuts the page's circuit off for good (no reconnect), as a dead network would.</summary>
    internal static async Task<Func<Task>> CutOffAsync(IPage page)
    {
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
        return async () =>
        {
            offline = true;
            await socket!.CloseAsync();
        };
    }

    /// <summary>The change ids of the presses waiting in the browser's outbox (any annotator).</summary>
    internal static async Task<IReadOnlyList<Guid>> WaitingAsync(IPage page)
    {
        var ids = await page.EvaluateAsync<JsonElement>(
            "() => Object.keys(localStorage).filter(k => k.startsWith('tv-outbox:')).map(k => JSON.parse(localStorage.getItem(k)).item.id)");
        return [.. ids.EnumerateArray().Select(e => Guid.Parse(e.GetString()!))];
    }

    [Fact]
    public async Task PressesOfAClosedTabAreSavedOnceByTheNextPage()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        var cut = await CutOffAsync(page);
        await TaggingWorkbenchTests.OpenWorkbenchAsync(page, $"/traces/{app.Trace.TraceId}/sentences/52", 52);

        await cut();
        await page.Keyboard.PressAsync("Shift+J");
        await page.Keyboard.PressAsync("3");
        await page.Keyboard.PressAsync("4");
        await Assertions.Expect(page.Locator(".trace-page[data-tag-queue='2']")).ToHaveCountAsync(1, Long);
        var waiting = await WaitingAsync(page);
        Assert.Equal(2, waiting.Count);
        await page.CloseAsync();

        // Another page of the app in the same browser, not a trace page.
        var next = await page.Context.NewPageAsync();
        await next.GotoAsync("/traces");
        await next.WaitForCircuitAsync();
        await Assertions.Expect(next.Locator(".tag-outbox-saved")).ToContainTextAsync("2 unsaved changes from an earlier visit were saved", new() { Timeout = 60_000 });
        Assert.Empty(await WaitingAsync(next));

        await using var db = app.App.CreateDbContext();
        var sentences = new[] { app.Trace.Sentences[52].Id, app.Trace.Sentences[53].Id };
        var tags = await db.Set<SentenceTag>().Where(t => sentences.Contains(t.SentenceId) && t.Annotator == BuiltInTaxonomies.LocalPerson).ToListAsync();
        Assert.Equal(4, tags.Count);
        Assert.Equal(2, tags.Select(t => t.TagId).Distinct().Count());
        var audits = await db.Set<TagAudit>().Where(a => waiting.Contains(a.ChangeId)).ToListAsync();
        Assert.Equal(4, audits.Count);
        Assert.All(waiting, id => Assert.Equal(2, audits.Count(a => a.ChangeId == id)));
        Assert.All(audits, a => Assert.Equal(BuiltInTaxonomies.LocalPerson, a.Annotator));
    }
}

/// <summary>On a browser shared by two annotators, one's unsent presses are never saved as the other.</summary>
public sealed class TagOutboxAccountsTests(AccountsBrowserApp app) : IClassFixture<AccountsBrowserApp>
{
    private static readonly LocatorAssertionsToHaveCountOptions Long = new() { Timeout = 60_000 };

    private static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync(AccountsExtensions.SignInPath);
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", AccountSeeder.Password);
        await page.ClickAsync("[data-testid=sign-in-submit]");
        await page.WaitForURLAsync(url => !url.Contains(AccountsExtensions.SignInPath, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnotherAnnotatorSigningInDoesNotSendTheFirstOnesPresses()
    {
        await app.EnsureAdminAsync();
        var first = await app.App.AddAccountAsync("outbox-first@example.test", Roles.Annotator);
        var second = await app.App.AddAccountAsync("outbox-second@example.test", Roles.Annotator);
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        var context = page.Context;
        // The seeded trace carries its import's tags on every sentence; a person's tag is what a press adds.
        var fortieth = app.Trace.Sentences[40].Id;
        var fortyFirst = app.Trace.Sentences[41].Id;
        Assert.Empty(await PeoplesTagsAsync(fortieth));
        Assert.Empty(await PeoplesTagsAsync(fortyFirst));
        await SignInAsync(page, "outbox-first@example.test");
        var cut = await TagOutboxTests.CutOffAsync(page);
        await TaggingWorkbenchTests.OpenWorkbenchAsync(page, $"/traces/{app.Trace.TraceId}/sentences/40", 40);
        await cut();
        await page.Keyboard.PressAsync("7");
        await Assertions.Expect(page.Locator(".trace-page[data-tag-queue='1']")).ToHaveCountAsync(1, Long);
        var waiting = Assert.Single(await TagOutboxTests.WaitingAsync(page));
        await page.CloseAsync();

        // The second annotator signs in on the same browser and tags a sentence: the first one's press stays waiting.
        await context.ClearCookiesAsync();
        var other = await context.NewPageAsync();
        await SignInAsync(other, "outbox-second@example.test");
        await TaggingWorkbenchTests.OpenWorkbenchAsync(other, $"/traces/{app.Trace.TraceId}/sentences/41", 41);
        await other.Keyboard.PressAsync("7");
        await Assertions.Expect(other.Locator("#s-41[data-save='saved']")).ToHaveCountAsync(1, Long);
        await using (var db = app.App.CreateDbContext())
        {
            Assert.False(await db.Set<TagAudit>().AnyAsync(a => a.ChangeId == waiting));
        }

        Assert.Empty(await PeoplesTagsAsync(fortieth));
        Assert.Equal([second], (await PeoplesTagsAsync(fortyFirst)).Select(t => t.Annotator));

        Assert.Equal([waiting], await TagOutboxTests.WaitingAsync(other));

        // Even a press filed under the second annotator is refused by the server: it names the first as its typist.
        await other.EvaluateAsync(
            "([from, to, id]) => { const entry = JSON.parse(localStorage.getItem(`tv-outbox:/:${from}:${id}`));"
            + " localStorage.setItem(`tv-outbox:/:${to}:${id}`, JSON.stringify({ ...entry, holder: 'gone' }));"
            + " window.dispatchEvent(new CustomEvent('tv-outbox-orphaned')); }",
            new[] { first, second, waiting.ToString() });
        var refused = other.Locator("[data-testid=tag-outbox-refused]");
        await Assertions.Expect(refused).ToContainTextAsync("typed by another account", new() { Timeout = 60_000 });
        // Above the trace page, which keeps its selected sentence in view: the list is scrolled to, not in view at once.
        await refused.ScrollIntoViewIfNeededAsync();
        await other.AssertNoSidewaysScrollAsync(Viewports.Laptop);
        await other.ScreenshotAsync("tag-outbox-refused-laptop", fullPage: false);
        await using (var db = app.App.CreateDbContext())
        {
            Assert.False(await db.Set<TagAudit>().AnyAsync(a => a.ChangeId == waiting));
        }

        await other.Locator("[data-testid=tag-outbox-discard]").ClickAsync();
        await Assertions.Expect(other.Locator("[data-testid=tag-outbox-refused]")).ToHaveCountAsync(0, Long);
        Assert.Equal([waiting], await TagOutboxTests.WaitingAsync(other));
        await other.CloseAsync();

        // Back as the first annotator: the first page after signing in (the datasets) saves the press as theirs. The test
        // stays on that page: leaving it at once would race the save and take its notice away.
        await context.ClearCookiesAsync();
        var again = await context.NewPageAsync();
        await SignInAsync(again, "outbox-first@example.test");
        await again.WaitForCircuitAsync();
        await Assertions.Expect(again.Locator(".tag-outbox-saved")).ToContainTextAsync("1 unsaved change from an earlier visit was saved", new() { Timeout = 60_000 });
        await using var after = app.App.CreateDbContext();
        var audit = Assert.Single(await after.Set<TagAudit>().Where(a => a.ChangeId == waiting).ToListAsync());
        Assert.Equal(first, audit.Annotator);
        Assert.Equal(fortieth, audit.SentenceId);
        Assert.Equal(first, Assert.Single(await PeoplesTagsAsync(fortieth)).Annotator);
        Assert.Equal([second], (await PeoplesTagsAsync(fortyFirst)).Select(t => t.Annotator));
    }

    /// <summary>The tags people put on a sentence (not the import's).</summary>
    private async Task<List<SentenceTag>> PeoplesTagsAsync(int sentenceId)
    {
        await using var db = app.App.CreateDbContext();
        return await db.Set<SentenceTag>().AsNoTracking().Where(t => t.SentenceId == sentenceId && t.AnnotatorKind == AnnotatorKind.Person).ToListAsync();
    }
}
