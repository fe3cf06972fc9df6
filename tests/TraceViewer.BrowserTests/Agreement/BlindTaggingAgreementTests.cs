using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TraceViewer.Accounts;
using TraceViewer.Agreement;
using TraceViewer.Queues;
using TraceViewer.BrowserTests.Accounts;
using TraceViewer.Statistics.Agreement;
using TraceViewer.Tags;
using TraceViewer.Tests.Accounts;
using TraceViewer.Tests.Agreement;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Agreement;

/// <summary>
/// Two annotators, each signed in in their own browser, work through a queue of 200 sentences (two traces) with overlap 2
/// by keyboard only, in blind mode: digits toggle tags, the down arrow moves on, "." goes to the queue's next open item (the second
/// trace); they submit each trace. The agreement page then shows what the statistics give for the tag rows in the
/// database: per tag Krippendorff's alpha and Fleiss' kappa, per pair of annotators observed agreement and Cohen's kappa.
/// </summary>
public sealed class BlindTaggingAgreementTests(AccountsBrowserApp app, ITestOutputHelper output) : IClassFixture<AccountsBrowserApp>
{
    private const int Traces = 2;
    private const int PerTrace = 100;
    private static readonly string[] TagNames = ["restates", "plans", "checks"];
    private static readonly LocatorAssertionsToHaveCountOptions Soon = new() { Timeout = 30_000 };

    /// <summary>Hotkeys (1-3) the first annotator presses on sentence s: one tag, cycling.</summary>
    private static int[] FirstKeys(int s) => [s % 3 + 1];

    /// <summary>The second agrees but for every 7th sentence (another tag) and adds "checks" to every 11th.</summary>
    private static int[] SecondKeys(int s)
    {
        var keys = new List<int> { s % 7 == 0 ? (s + 1) % 3 + 1 : s % 3 + 1 };
        if (s % 11 == 0 && !keys.Contains(3))
        {
            keys.Add(3);
        }

        return [.. keys];
    }

    /// <summary>A third annotator, an import, so Fleiss' kappa is defined: another tag on every 5th sentence.</summary>
    private static IReadOnlyList<string> Imported(int s) => [TagNames[s % 5 == 0 ? (s + 2) % 3 : s % 3]];

    [Fact]
    public async Task TwoAnnotatorsTagByKeyboardInBlindModeAndThePageShowsTheStatisticsOfTheirRows()
    {
        var watch = Stopwatch.StartNew();
        var import = new SeededAnnotator(AnnotatorKind.Import, "reference-tags.jsonl");
        var seeded = await AgreementSeeder.SeedAsync(app.App, new AgreementSeed
        {
            DatasetName = "Blind tagging study", Traces = Traces, SentencesPerTrace = PerTrace, Tags = TagNames, Annotators = [import],
            TagsOf = (_, s) => Imported(s),
        });
        await using (var db = app.App.CreateDbContext())
        {
            var tags = await db.Set<Tag>().Where(t => t.TaxonomyId == seeded.TaxonomyId).ToListAsync();
            foreach (var tag in tags)
            {
                tag.Hotkey = Array.IndexOf(TagNames, tag.Name) + 1;
            }

            await db.SaveChangesAsync();
        }

        var ann = await app.App.AddAccountAsync("ann.blind@example.test", Roles.Annotator);
        var bo = await app.App.AddAccountAsync("bo.blind@example.test", Roles.Annotator);
        await using var first = await app.NewPageAsync(Viewports.Laptop);
        await using var second = await app.NewPageAsync(Viewports.Laptop);
        await Task.WhenAll(
            AccountsBrowserApp.SignInAsync(first, "ann.blind@example.test"),
            AccountsBrowserApp.SignInAsync(second, "bo.blind@example.test"));
        int queue;
        await using (var db = app.App.CreateDbContext())
        {
            var store = new QueueStore(db, Queues.OwnerAccess.Admin, app.App.Services.GetRequiredService<AccountsState>(), app.App.Clock);
            queue = await store.CreateAsync(new QueueRequest
            {
                Name = "Blind tagging", DatasetId = seeded.DatasetId, TaxonomyId = seeded.TaxonomyId, Annotators = [ann, bo], Overlap = 2,
            }, CancellationToken.None);
        }

        output.WriteLine($"seeded, queued and signed in after {watch.Elapsed.TotalSeconds:F1} s");

        await Task.WhenAll(TagAllAsync(first, seeded, queue, FirstKeys, m => output.WriteLine($"ann {m} after {watch.Elapsed.TotalSeconds:F1} s")),
            TagAllAsync(second, seeded, queue, SecondKeys, m => output.WriteLine($"bo {m} after {watch.Elapsed.TotalSeconds:F1} s")));
        output.WriteLine($"both tagged and submitted after {watch.Elapsed.TotalSeconds:F1} s");

        // What the statistics give for the rows in the database, every annotator counted on the sentences they tagged.
        List<FinishedItem> finished;
        await using (var db = app.App.CreateDbContext())
        {
            var rows = await (from st in db.Set<SentenceTag>()
                              join t in db.Set<Tag>() on st.TagId equals t.Id
                              where t.TaxonomyId == seeded.TaxonomyId
                              select new { st.SentenceId, t.Name, st.AnnotatorKind, st.Annotator }).ToListAsync();
            finished = [.. rows
                .GroupBy(r => (Annotator: AgreementQueries.AnnotatorKey(r.AnnotatorKind, r.Annotator), r.SentenceId))
                .OrderBy(g => g.Key.Annotator, StringComparer.Ordinal).ThenBy(g => g.Key.SentenceId)
                .Select(g => new FinishedItem(g.Key.Annotator, g.Key.SentenceId.ToString(CultureInfo.InvariantCulture), [.. g.Select(r => r.Name).Distinct()]))];
        }

        string[] annotators = [AgreementQueries.PersonKey(ann), AgreementQueries.PersonKey(bo), import.Key];
        Assert.Equal(annotators.Order(StringComparer.Ordinal), finished.Select(f => f.Annotator).Distinct());
        Assert.All(annotators, a => Assert.Equal(Traces * PerTrace, finished.Count(f => f.Annotator == a)));
        var expected = TagRatings.PerTag(TagNames, finished).ToDictionary(
            t => t.Tag, t => (Report: AgreementAnalysis.Compute(t.Table, AgreementComputation.Bootstrap), t.Table));

        var page = first.Page;
        var address = $"/agreement?dataset={seeded.DatasetId}&taxonomy={seeded.TaxonomyId}";
        await page.GotoAsync(address);
        await Assertions.Expect(page.Locator("#tags-heading")).ToContainTextAsync($"{Traces * PerTrace} sentences seen, 3 annotators");
        await Assertions.Expect(page.Locator("tr.tag-row")).ToHaveCountAsync(TagNames.Length);
        var agreementNeitherNoneNorFull = false;
        foreach (var name in TagNames)
        {
            var (report, table) = expected[name];
            var row = page.Locator($"tr.tag-row[data-tag='{name}']");
            Assert.Equal(Value(report.Krippendorff.Alpha), await row.Locator("td.alpha .figure").GetAttributeAsync("data-value"));
            Assert.Equal(Value(report.Fleiss!.Kappa), await row.Locator("td.fleiss .figure").GetAttributeAsync("data-value"));
            Assert.Equal(Interval(report.Krippendorff.AlphaInterval), await row.Locator("td.alpha .figure-interval").TextContentAsync() is { } a ? a.Trim() : null);
            Assert.Equal(Interval(report.Fleiss.KappaInterval), await row.Locator("td.fleiss .figure-interval").TextContentAsync() is { } f ? f.Trim() : null);
            Assert.Equal(Differing(table).ToString("N0", CultureInfo.InvariantCulture), (await row.Locator("td.differ").TextContentAsync())!.Trim());
            agreementNeitherNoneNorFull |= report.Krippendorff.Alpha is > 0 and < 1;
        }

        Assert.True(agreementNeitherNoneNorFull, "the choices should make agreement partial");
        foreach (var name in TagNames)
        {
            var (report, _) = expected[name];
            await page.GotoAsync($"{address}&tag={name}");
            var detail = page.Locator($"[data-testid=variable-detail][data-variable='{name}']");
            await Assertions.Expect(detail.Locator("[data-testid=pair]")).ToHaveCountAsync(3);
            await Assertions.Expect(detail).ToContainTextAsync($"{report.Krippendorff.Items:N0} items with a rating.");
            foreach (var pair in report.Pairwise)
            {
                var shown = detail.Locator($"[data-testid=pair][data-a='{pair.A}'][data-b='{pair.B}']");
                Assert.Equal(pair.N.ToString("N0", CultureInfo.InvariantCulture), (await shown.Locator(".pair-n").TextContentAsync())!.Trim());
                Assert.Equal(Value(pair.CohenKappa), await shown.Locator(".pair-kappa .figure").GetAttributeAsync("data-value"));
                Assert.Equal(Value(pair.ObservedAgreement), await shown.Locator(".pair-observed .figure").GetAttributeAsync("data-value"));
                Assert.Equal(Interval(pair.CohenKappaInterval), (await shown.Locator(".pair-kappa .figure-interval").TextContentAsync())?.Trim());
                Assert.Equal(Interval(pair.ObservedAgreementInterval), (await shown.Locator(".pair-observed .figure-interval").TextContentAsync())?.Trim());
                var cells = await shown.Locator("table.confusion td.cell").AllTextContentsAsync();
                Assert.Equal(pair.Confusion.SelectMany(r => r).Select(c => c.ToString("N0", CultureInfo.InvariantCulture)), cells.Select(c => c.Trim()));
            }
        }

        output.WriteLine(await page.ScreenshotAsync("agreement-after-blind-tagging-laptop-screen", fullPage: false));
        output.WriteLine($"done after {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Empty(first.Errors);
        Assert.Empty(second.Errors);
    }

    /// <summary>
    /// The annotator's queue from its first item: on each trace Everyone's layer, blind mode on, one batch of key presses
    /// (digits, then the down arrow), all saved, Submit, then "." to the next open item, the next trace's first sentence.
    /// </summary>
    private static async Task TagAllAsync(BrowserPage browser, SeededAgreement seeded, int queue, Func<int, int[]> keysOf, Action<string> log)
    {
        var page = browser.Page;
        var traces = seeded.TraceIds.Order().ToList();
        var progress = page.Locator("[data-testid=queue-progress]");
        await page.GotoAsync($"/traces/{traces[0]}/sentences/0?tagging={seeded.TaxonomyId}&queue={queue}");
        await page.WaitForCircuitAsync();
        for (var t = 0; t < Traces; t++)
        {
            await Assertions.Expect(page.Locator($".trace-page[data-trace-id='{traces[t]}'][data-keys='ready']")).ToHaveCountAsync(1, Soon);
            await Assertions.Expect(page.Locator("[data-testid=queue-item-state]")).ToHaveTextAsync($"Item {t * PerTrace + 1}: open", new() { Timeout = 30_000 });
            await Assertions.Expect(progress).ToHaveTextAsync($"{t * PerTrace} / {Traces * PerTrace} done", new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator($"[data-testid=tag-panel][data-taxonomy='{seeded.TaxonomyId}'][data-may-tag='true']")).ToHaveCountAsync(1, Soon);
            // Everyone's tags, then blind: the import's tags on these sentences are hidden until Submit.
            await page.Locator("[data-testid=tag-layers] [data-layer=everyone]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=tag-panel][data-layer='everyone']")).ToHaveCountAsync(1, Soon);
            if (t == 0)
            {
                await Assertions.Expect(page.Locator(".sentence .tag-chip[data-mine='false']").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            }

            // Blind stays on as "." moves to the next trace; checked again, it stays checked.
            await page.Locator("[data-testid=tag-blind]").CheckAsync();
            await Assertions.Expect(page.Locator("[data-testid=tag-panel][data-blind='true']")).ToHaveCountAsync(1, Soon);
            await Assertions.Expect(page.Locator(".sentence .tag-chip")).ToHaveCountAsync(0, Soon);
            await Assertions.Expect(page.Locator(".sentence[data-save]")).ToHaveCountAsync(0);
            await page.Locator("#s-0").FocusAsync();

            log($"typing trace {t + 1}");
            for (var k = 0; k < PerTrace; k++)
            {
                await page.Keyboard.TypeAsync(string.Concat(keysOf(t * PerTrace + k)));
                if (k < PerTrace - 1)
                {
                    await page.Keyboard.PressAsync("ArrowDown");
                }
            }

            log($"typed trace {t + 1}");
            // Nothing left to send, and every sentence marked saved (the marks of the trace before are gone).
            await Assertions.Expect(page.Locator(".trace-page[data-tag-queue='0']")).ToHaveCountAsync(1, new() { Timeout = 150_000 });
            await Assertions.Expect(page.Locator(".sentence[data-save='saved']")).ToHaveCountAsync(PerTrace, Soon);
            log($"saved trace {t + 1}");
            await Assertions.Expect(page.Locator(".sentence .tag-chip[data-mine='false']")).ToHaveCountAsync(0);
            await Assertions.Expect(progress).ToHaveTextAsync($"{(t + 1) * PerTrace} / {Traces * PerTrace} done", new() { Timeout = 30_000 });

            await page.Locator("[data-testid=tag-submit]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=tag-submitted]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            // Submitted: the others' tags show.
            await Assertions.Expect(page.Locator(".sentence .tag-chip[data-mine='false']").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            if (t + 1 < Traces)
            {
                // Back on the sentences, "." goes on to the queue's next open item: the next trace's first sentence.
                await page.Locator($"#s-{PerTrace - 1}").FocusAsync();
                await page.Keyboard.PressAsync(".");
                // The address is asserted, not waited on as a navigation: a failure then names the address the page went to.
                await Assertions.Expect(page).ToHaveURLAsync(new Regex($@"/traces/{traces[t + 1]}/sentences/0\?(.*&)?queue={queue}(&|$)"), new() { Timeout = 30_000 });
            }
        }
    }

    private static string Value(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "undefined";

    private static string? Interval(Statistics.BootstrapInterval? interval) =>
        interval?.Range is { } range ? $"[{FigureText.Format(range.Low)}, {FigureText.Format(range.High)}]" : "[interval undefined]";

    /// <summary>Items two annotators labelled differently.</summary>
    private static int Differing(RatingTable table) => Enumerable.Range(0, table.Items.Count).Count(i =>
        Enumerable.Range(0, table.Annotators.Count).Select(a => table.Label(i, a)).Where(l => l != RatingTable.Missing).Distinct().Count() > 1);
}
