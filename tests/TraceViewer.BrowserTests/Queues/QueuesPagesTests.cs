using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TraceViewer.Accounts;
using TraceViewer.Queues;
using TraceViewer.Tags;
using TraceViewer.Tests;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Queues;

/// <summary>Tagging queues in the browser, as the local owner: My queue, the workbench moving through the items, the researcher's pages.</summary>
public sealed class QueuesPagesTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static readonly LocatorAssertionsToHaveCountOptions Soon = new() { Timeout = 15_000 };

    private async Task<int> MakeQueueAsync(string name)
    {
        await using var db = app.App.CreateDbContext();
        var taxonomy = await db.Set<Taxonomy>().Where(t => t.Name == BuiltInTaxonomies.Reasoning).Select(t => t.Id).SingleAsync();
        var store = new QueueStore(db, new OwnerAccess(), app.App.Services.GetRequiredService<AccountsState>(), app.App.Clock);
        // Top 3 by |effect|: sentences 0, 3 and 6 (the fixture's counterfactual effect is 0.3 on every third sentence).
        return await store.CreateAsync(new QueueRequest
        {
            Name = name, DatasetId = app.Trace.DatasetId, Traces = $"{app.Trace.TraceId}", OutcomeId = app.Trace.OutcomeId, TopK = 3,
            TaxonomyId = taxonomy, Annotators = [BuiltInTaxonomies.LocalPerson], Overlap = 1,
        }, CancellationToken.None);
    }

    [Fact]
    public async Task AnAnnotatorTagsTwoItemsOfTheirQueueWithDigitsAndProgressShowsTwoDone()
    {
        var id = await MakeQueueAsync("Planning sentences");
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync("/queues/mine");
        await page.WaitForCircuitAsync();
        var mine = page.Locator("[data-testid=my-queue]", new() { HasText = "Planning sentences" });
        await Assertions.Expect(mine.Locator("[data-testid=my-queue-progress]")).ToHaveTextAsync("0 / 3 done");
        await Assertions.Expect(mine.Locator("[data-testid=queue-start]")).ToHaveTextAsync("Start");

        await mine.Locator("[data-testid=queue-start]").ClickAsync();
        await page.WaitForURLAsync($"**/traces/{app.Trace.TraceId}/sentences/0?**queue={id}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator(".trace-page[data-keys='ready']")).ToHaveCountAsync(1, Soon);
        await Assertions.Expect(page.Locator("[data-testid=tag-panel]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var progress = page.Locator("[data-testid=queue-progress]");
        await Assertions.Expect(progress).ToHaveTextAsync("0 / 3 done", new() { Timeout = 15_000 });

        await page.Locator("#s-0").FocusAsync();
        await page.Keyboard.PressAsync("1");
        await Assertions.Expect(page.Locator("#s-0[data-save='saved']")).ToHaveCountAsync(1, Soon);
        await Assertions.Expect(progress).ToHaveTextAsync("1 / 3 done", new() { Timeout = 15_000 });

        // . goes on to the next open item, with the workbench still on the queue's taxonomy.
        await page.Keyboard.PressAsync(".");
        // The address is asserted, not waited on as a navigation: a failure then names the address the page went to.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($@"/sentences/3\?(.*&)?queue={id}(&|$)"), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=queue-item-state]")).ToHaveTextAsync("Item 2: open", new() { Timeout = 15_000 });
        await page.Locator("#s-3").FocusAsync();
        await page.Keyboard.PressAsync("2");
        await Assertions.Expect(page.Locator("#s-3[data-save='saved']")).ToHaveCountAsync(1, Soon);
        await Assertions.Expect(progress).ToHaveTextAsync("2 / 3 done", new() { Timeout = 15_000 });
        output.WriteLine(await page.ScreenshotAsync("queue-workbench-laptop", fullPage: false));

        await page.GotoAsync("/queues/mine");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(mine.Locator("[data-testid=my-queue-progress]")).ToHaveTextAsync("2 / 3 done");
        await Assertions.Expect(mine.Locator("[data-testid=queue-start]")).ToHaveTextAsync("Continue");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task DotWithEveryItemDoneSaysSoInsteadOfDoingNothing()
    {
        var id = await MakeQueueAsync("All done");
        int taxonomy;
        await using (var db = app.App.CreateDbContext())
        {
            taxonomy = await db.Set<Queue>().Where(q => q.Id == id).Select(q => q.TaxonomyId).SingleAsync();
            await db.Set<QueueAssignment>().Where(a => a.Item!.QueueId == id).ExecuteUpdateAsync(u => u.SetProperty(a => a.State, AssignmentState.Done));
        }

        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync($"/traces/{app.Trace.TraceId}/sentences/0?tagging={taxonomy}&queue={id}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator(".trace-page[data-keys='ready']")).ToHaveCountAsync(1, Soon);
        await Assertions.Expect(page.Locator("[data-testid=queue-progress]")).ToHaveTextAsync("3 / 3 done", new() { Timeout = 15_000 });
        // The Next button is disabled: a click would be ignored, the key is answered.
        await Assertions.Expect(page.Locator("#queue-next")).ToBeDisabledAsync();

        await page.Locator("#s-0").FocusAsync();
        await page.Keyboard.PressAsync(".");

        await Assertions.Expect(page.Locator("[data-testid=queue-notice]")).ToHaveTextAsync("No other item of yours is open or skipped: all are done.", new() { Timeout = 15_000 });
        Assert.Matches(@"/traces/\d+/sentences/0\?", page.Url);
        Assert.Empty(browser.Errors);
    }

    /// <summary>A MudBlazor field's input, whether the test id sits on the input or around it.</summary>
    private static ILocator Field(IPage page, string testId) => page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;

    [Fact]
    public async Task TheFormShowsErrorsOnItsFieldsThenMakesTheQueue()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync("/queues");
        await page.WaitForCircuitAsync();
        var form = page.Locator(".queue-form");
        var create = page.Locator("[data-testid=queue-create]");
        // The prerendered form is disabled; enabled, it is the circuit's: what is typed now stays and the click is heard.
        await Assertions.Expect(create).ToBeEnabledAsync(new() { Timeout = 15_000 });

        await Field(page, "queue-overlap").FillAsync("2");
        await create.ClickAsync();
        await Assertions.Expect(form).ToContainTextAsync("A name is 1 to 200 characters.", new() { Timeout = 15_000 });
        await Assertions.Expect(form).ToContainTextAsync("The overlap is 1 to 1 (the annotators chosen).");

        // Each field's error goes once the circuit has its new value, so the click below cannot overtake the values.
        await Field(page, "queue-name").FillAsync("From the form");
        await Field(page, "queue-overlap").FillAsync("1");
        await Field(page, "queue-overlap").PressAsync("Tab");
        await Assertions.Expect(form).Not.ToContainTextAsync("A name is 1 to 200 characters.", new() { Timeout = 15_000 });
        await Assertions.Expect(form).Not.ToContainTextAsync("The overlap is 1 to 1", new() { Timeout = 15_000 });
        await Assertions.Expect(create).ToBeEnabledAsync();
        await create.ClickAsync();
        // The circuit navigates in the page (no load event): the address is what changes.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/queues/[0-9]+$"), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("From the form", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=annotator-progress]")).ToContainTextAsync("local");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task ThePrerenderedFormTakesNoInputBeforeTheCircuitRendersIt()
    {
        using var client = new HttpClient { BaseAddress = app.BaseAddress };
        var html = await client.GetStringAsync("/queues");

        // Typed text would be replaced by the circuit's first render, and a click would reach no handler.
        Assert.Contains(" disabled", Tag(html, "queue-create", "button"));
        Assert.Contains(" disabled", Tag(html, "queue-name", "input"));
        Assert.Contains(" disabled", Tag(html, "queue-overlap", "input"));
    }

    /// <summary>The opening tag of the element with a test id, or of the first such element inside it.</summary>
    private static string Tag(string html, string testId, string element)
    {
        var at = html.IndexOf($"data-testid=\"{testId}\"", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no {testId} in the prerendered page");
        var start = html.LastIndexOf('<', at);
        if (!html.AsSpan(start).StartsWith("<" + element, StringComparison.Ordinal))
        {
            start = html.IndexOf("<" + element, at, StringComparison.Ordinal);
        }

        return html[start..(html.IndexOf('>', start) + 1)];
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheQueuePagesFitTheScreen(string viewport)
    {
        var id = await MakeQueueAsync($"Screens {viewport}");
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        foreach (var (path, name, ready) in new[]
        {
            ("/queues", "queues", "[data-testid=queue-list]"),
            ($"/queues/{id}", "queue", "[data-testid=annotator-progress]"),
            ("/queues/mine", "queues-mine", "[data-testid=my-queues]"),
        })
        {
            await page.GotoAsync(path);
            await page.WaitForCircuitAsync();
            await Assertions.Expect(page.Locator(ready)).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await page.AssertNoSidewaysScrollAsync(viewport);
            var box = await page.Locator(ready).BoundingBoxAsync();
            Assert.True(box!.Y < Viewports.Size(viewport).Height, $"{path}: the content starts at {box.Y} px");
            output.WriteLine(await page.ScreenshotAsync($"{name}-{viewport}"));
        }

        // Start opens the trace page with the queue bar above the workbench, on the first screen.
        await page.Locator("[data-testid=my-queue]", new() { HasText = $"Screens {viewport}" }).Locator("[data-testid=queue-start]").ClickAsync();
        await page.WaitForURLAsync($"**queue={id}");
        await page.WaitForCircuitAsync();
        var bar = page.Locator("[data-testid=queue-bar]");
        await Assertions.Expect(bar).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=tag-panel]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.AssertNoSidewaysScrollAsync(viewport);
        var top = await bar.BoundingBoxAsync();
        Assert.True(top!.Y < Viewports.Size(viewport).Height, $"the queue bar starts at {top.Y} px");
        output.WriteLine(await page.ScreenshotAsync($"queue-trace-{viewport}", fullPage: false));

        Assert.Empty(browser.Errors);
    }

    /// <summary>
    /// Closes the annotators' list (a multiple choice stays open after a click): a click where the field is, which lands on
    /// the field (toggling the list) or on the overlay over it (closing the list), so no check of what is on top.
    /// </summary>
    private static async Task ClosePopoverAsync(IPage page)
    {
        await page.Locator("[data-testid=change-annotators]").First.ClickAsync(new() { Force = true });
        await Assertions.Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0, Soon);
    }

    private static ILocator Count(ILocator bars, string annotator) =>
        bars.Locator("li", new() { HasText = annotator }).Locator(".annotator-count");

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheOwnerTakesAnAnnotatorOffAndTheOpenItemsAreDealtAgainWhileTheDoneOneStaysTheirs(string viewport)
    {
        var id = await MakeQueueAsync($"Re-deal {viewport}");
        // The three items were someone's whose account is gone; they finished the first.
        await using (var db = app.App.CreateDbContext())
        {
            await db.Set<Queue>().Where(q => q.Id == id).ExecuteUpdateAsync(u => u.SetProperty(q => q.Annotators, "gone"));
            await db.Set<QueueAssignment>().Where(a => a.Item!.QueueId == id).ExecuteUpdateAsync(u => u.SetProperty(a => a.Annotator, "gone"));
            await db.Set<QueueAssignment>().Where(a => a.Item!.QueueId == id && a.Item.Position == 0)
                .ExecuteUpdateAsync(u => u.SetProperty(a => a.State, AssignmentState.Done));
            // Another test of this class may have tagged these sentences as local; an item with a tag of local's is
            // local's done, so the counts below start from none.
            var sentences = db.Set<QueueItem>().Where(i => i.QueueId == id).Select(i => i.SentenceId);
            await db.Set<SentenceTag>().Where(t => t.AnnotatorKind == AnnotatorKind.Person && t.Annotator == BuiltInTaxonomies.LocalPerson && sentences.Contains(t.SentenceId))
                .ExecuteDeleteAsync();
        }

        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        // The first page of a fresh app on a loaded machine can take longer than the default.
        await page.GotoAsync($"/queues/{id}", new() { Timeout = 90_000 });
        await page.WaitForCircuitAsync();
        var change = page.Locator("[data-testid=queue-change]");
        await Assertions.Expect(change).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var bars = page.Locator("[data-testid=annotator-progress]");
        await Assertions.Expect(Count(bars, "gone")).ToHaveTextAsync("1 / 3");

        // local joins; gone is still chosen and is no person: refused on the field, nothing changes.
        await page.Locator("[data-testid=change-annotators]").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "local" }).ClickAsync();
        await ClosePopoverAsync(page);
        await page.Locator("[data-testid=change-redeal]").ClickAsync();
        await Assertions.Expect(change).ToContainTextAsync("There is no person \"gone\".", new() { Timeout = 15_000 });
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"queue-change-error-{viewport}"));

        await page.Locator("[data-testid=change-annotators]").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "gone" }).ClickAsync();
        await ClosePopoverAsync(page);
        await Assertions.Expect(change).Not.ToContainTextAsync("There is no person", new() { Timeout = 15_000 });
        await page.Locator("[data-testid=change-redeal]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=change-result]")).ToHaveTextAsync("Dealt again: 2 assignments given, 2 taken away, 1 kept.", new() { Timeout = 15_000 });
        await Assertions.Expect(Count(bars, "gone")).ToHaveTextAsync("1 / 1");
        await Assertions.Expect(Count(bars, "local")).ToHaveTextAsync("0 / 2");
        await Assertions.Expect(page.Locator("[data-testid=queue-changed]")).ToContainTextAsync("last changed by local");
        // The history, newest first: this re-deal (the refused one left none), then the making of the queue.
        var history = page.Locator("[data-testid=queue-history] li");
        await Assertions.Expect(history).ToHaveCountAsync(2, Soon);
        await Assertions.Expect(history.Nth(0)).ToContainTextAsync("Dealt again by local: annotators gone → local, overlap 1 → 1; 2 given, 2 taken away, 1 kept.");
        await Assertions.Expect(history.Nth(1)).ToContainTextAsync("Made by local for local, overlap 1: 3 assignments given.");
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"queue-change-{viewport}"));

        await using (var db = app.App.CreateDbContext())
        {
            var deal = await db.Set<QueueAssignment>().Where(a => a.Item!.QueueId == id).OrderBy(a => a.Item!.Position)
                .Select(a => new { a.Item!.Position, a.Annotator, a.State }).ToListAsync();
            Assert.Equal([(0, "gone", AssignmentState.Done), (1, BuiltInTaxonomies.LocalPerson, AssignmentState.Open), (2, BuiltInTaxonomies.LocalPerson, AssignmentState.Open)],
                deal.Select(d => (d.Position, d.Annotator, d.State)));
        }

        Assert.Empty(browser.Errors);
    }
}

/// <summary>The local owner, for making a queue outside a circuit.</summary>
/// <summary>Every policy granted: the local owner while no account exists, or <paramref name="user"/> (e.g. an admin) once one does.</summary>
internal sealed class OwnerAccess(System.Security.Claims.ClaimsPrincipal? user = null) : IAccess
{
    /// <summary>A signed-in global admin, whom the workspace checks let write anywhere once accounts exist.</summary>
    public static OwnerAccess Admin { get; } = new(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
        [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "admin-id"),
            new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, Roles.Admin)], "Test")));

    public Task<bool> ShowsAsync(string policy) => Task.FromResult(true);

    public Task<bool> AllowsAsync(string policy) => Task.FromResult(true);

    public Task<System.Security.Claims.ClaimsPrincipal> UserAsync() => Task.FromResult(user ?? LocalOwner.Principal);
}
