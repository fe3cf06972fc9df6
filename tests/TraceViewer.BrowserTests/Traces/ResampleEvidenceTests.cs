using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using TraceViewer.Embeddings;
using TraceViewer.MetricSets;
using TraceViewer.Tests;
using TraceViewer.Tests.Traces;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Traces;

/// <summary>Opening an alternative's resamples from the sentence detail in Chromium, with the keyboard only.</summary>
public sealed class ResampleEvidenceTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 10_000 };

    private const string HostileFirst = "I comply <img src=x onerror=\"window.__pwned = 'first'\">.";

    [Fact]
    public async Task TheKeyboardOpensAnAlternativeAndItsJudgeVotesReadAsText()
    {
        var seeded = await JudgedResampleSeeder.SeedAsync(app.App, firstSentence: HostileFirst);
        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync($"/traces/{seeded.Trace.TraceId}/sentences/{seeded.Position}");
        await page.WaitForCircuitAsync();
        var open = page.Locator("#sentence-detail [data-testid=open-alternative]");
        await Assertions.Expect(open).ToHaveCountAsync(1);

        // Tab from the detail's copy-link button until the open button has focus.
        await page.Locator("[data-testid=copy-link]").FocusAsync();
        for (var i = 0; i < 30 && !await open.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await Assertions.Expect(open).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        var dialog = page.Locator("[data-testid=alternative-dialog]");
        await Assertions.Expect(dialog).ToBeVisibleAsync(Visible);
        await Assertions.Expect(dialog.Locator(".dialog-resample")).ToHaveCountAsync(3);
        var judged = dialog.Locator($".resample-evidence[data-resample-id='{seeded.ResampleId}']");
        // The judged resample is the third; its panel opens from the keyboard too.
        var summary = dialog.Locator($".dialog-resample[data-resample-id='{seeded.ResampleId}'] > summary");
        await summary.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(judged.Locator("[data-field=continuation]")).ToBeVisibleAsync(Visible);
        // How the votes became the label: this judge's "at least 0.5" makes its tie a yes.
        await Assertions.Expect(judged.Locator("[data-field=aggregation]")).ToHaveTextAsync(
            "Rule: yes when at least half of the parsed votes say yes, a tie is yes; undetermined when more than half of the votes fail");
        var reply = judged.Locator(".vote-raw").Nth(1);
        await judged.Locator(".raw-reply > summary").Nth(1).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(reply).ToBeVisibleAsync(Visible);

        Assert.Equal(JudgedResampleSeeder.ScriptReply, await reply.TextContentAsync());
        Assert.Equal(JudgedResampleSeeder.Continuation, await judged.Locator("[data-field=continuation]").TextContentAsync());
        Assert.Equal(HostileFirst, await page.Locator(".mud-dialog .dialog-first-sentence").TextContentAsync());
        Assert.Equal(0, await page.Locator(".mud-dialog script, .mud-dialog img, .mud-dialog b").CountAsync());
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__pwned"));
        output.WriteLine(await page.ScreenshotAsync("alternative-dialog-laptop", fullPage: false));

        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        // Keyboard users are back where they were.
        await Assertions.Expect(open).ToBeFocusedAsync();
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task OnAPhoneTheDialogFitsTheScreenAndLongRepliesWrap()
    {
        var seeded = await JudgedResampleSeeder.SeedAsync(app.App);
        await using var browser = await app.NewPageAsync(Viewports.Phone);
        var page = browser.Page;
        await page.GotoAsync($"/traces/{seeded.Trace.TraceId}/sentences/{seeded.Position}");
        await page.WaitForCircuitAsync();

        await page.Locator("#sentence-detail [data-testid=open-alternative]").ClickAsync();
        var judged = page.Locator($".dialog-resample[data-resample-id='{seeded.ResampleId}']");
        await judged.Locator("> summary").ClickAsync();
        await judged.Locator(".raw-reply > summary").Nth(1).ClickAsync();
        await Assertions.Expect(judged.Locator(".vote-raw").Nth(1)).ToBeVisibleAsync(Visible);

        var box = await page.Locator(".mud-dialog").BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= Viewports.Size(Viewports.Phone).Width, $"the dialog spans {box.X} to {box.X + box.Width} px");
        var overflowing = await page.Locator(".mud-dialog .evidence-text").EvaluateAllAsync<int>("els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length");
        Assert.Equal(0, overflowing);
        await page.AssertNoSidewaysScrollAsync(Viewports.Phone);
        output.WriteLine(await page.ScreenshotAsync("alternative-dialog-phone", fullPage: false));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task AlternativesFilterBySimilarityAtTheShownThreshold()
    {
        string[] firsts = ["Two plus two is four.", "Two plus two makes four.", "Let me check the units first."];
        var trace = await TraceSeeder.SeedAsync(app.App, new TraceSeed { ResamplesPerSentence = 3, Successes = i => i % 3, Alternative = (i, j) => firsts[j] });
        await using (var db = app.App.CreateDbContext())
        {
            // Metrics measured with the lexical measure: the page can measure the alternatives the same way.
            var set = await db.Set<MetricSet>().SingleAsync(m => m.TraceId == trace.TraceId);
            set.EmbeddingModel = LexicalSimilarity.ModelName;
            set.Threshold = 0.8;
            await db.SaveChangesAsync();
        }

        await using var browser = await app.NewPageAsync(Viewports.Laptop);
        var page = browser.Page;
        await page.GotoAsync($"/traces/{trace.TraceId}/sentences/1");
        await page.WaitForCircuitAsync();
        var filter = page.Locator("#sentence-detail [data-testid=similarity-filter]");
        await Assertions.Expect(filter).ToBeVisibleAsync(Visible);
        var alternatives = page.Locator("#sentence-detail li.alternative .alternative-text");
        await Assertions.Expect(alternatives).ToHaveCountAsync(3);

        var dissimilar = filter.Locator("[data-filter=dissimilar]");
        await dissimilar.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(dissimilar).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(alternatives).ToHaveTextAsync(["Let me check the units first."]);
        output.WriteLine(await page.Locator("#sentence-detail .alternatives-section").ScreenshotAsync(new() { Path = System.IO.Path.Combine(BrowserApp.ArtifactsDirectory, "alternatives-dissimilar.png") }) is { Length: > 0 } ? "alternatives-dissimilar.png" : "");
        await filter.Locator("[data-filter=similar]").ClickAsync();
        await Assertions.Expect(alternatives).ToHaveCountAsync(2);
        Assert.Empty(browser.Errors);
    }
}
