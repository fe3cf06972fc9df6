using System.Text.Json;
using Microsoft.Playwright;
using TraceViewer.Jobs;
using TraceViewer.Tags;
using TraceViewer.Tests.Agreement;
using TraceViewer.Tests.Jobs;
using TraceViewer.Tests.Studies;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Web;

/// <summary>
/// Every page at a laptop's and a phone's size, as a reader arrives at it: nothing scrolls sideways, and what they
/// came for is on the first screen. Each page is saved to artifacts/ as screen-{page}-{viewport}.png (what the first
/// screen shows) and screen-{page}-{viewport}-full.png.
/// </summary>
public sealed class PageScreenshotTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private const int DeepLinkSentence = 47;

    private static readonly SemaphoreSlim Seeding = new(1, 1);
    private static int? _studyId;
    private static int? _jobId;
    private static SeededAgreement? _agreement;

    /// <summary>A study dataset and a paused resample job, written once for the fixture's app.</summary>
    private async Task<(int Study, int Job)> SeedAsync()
    {
        await Seeding.WaitAsync();
        try
        {
            _studyId ??= await StudySeeder.SeedAsync(app.App, "Claude 3 Opus, helpful-only setting",
                SeededCondition.Of("helpful-only", "free", n: 40, compliant: 14, faking: 6, undetermined: 2),
                SeededCondition.Of("helpful-only", "paid", n: 40, compliant: 3, faking: 0));
            _jobId ??= await JobSeeder.AddJobAsync(app.App, app.Trace.TraceId, JobStatus.Paused,
                [JobItemStatus.Done, JobItemStatus.Done, JobItemStatus.Failed],
                [JobItemStatus.Done, JobItemStatus.Pending, JobItemStatus.Pending]);
            _agreement ??= await AgreementSeeder.SeedAsync(app.App, new AgreementSeed
            {
                DatasetName = "Agreement screenshots", Traces = 2, SentencesPerTrace = 12,
                Annotators = [new(AnnotatorKind.Person, "ann"), new(AnnotatorKind.Model, "tagger"), new(AnnotatorKind.Import, "source")],
                TagsOf = (a, s) => (s + a) % 4 == 0 ? ["plan", "doubt"] : (s * (a + 1)) % 3 == 0 ? ["fact"] : ["plan"],
            });
            return (_studyId.Value, _jobId.Value);
        }
        finally
        {
            Seeding.Release();
        }
    }

    public static TheoryData<string, string> Pages()
    {
        var data = new TheoryData<string, string>();
        foreach (var page in new[] { "datasets", "traces", "trace-deep-link", "study", "search", "agreement", "jobs", "job", "import" })
        {
            data.Add(page, Viewports.Laptop);
            data.Add(page, Viewports.Phone);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task APageFitsTheScreenWithItsMainContentOnTheFirstScreen(string name, string viewport)
    {
        var (study, job) = await SeedAsync();
        var trace = app.Trace.TraceId;
        (string address, string[] main, string? ready) = name switch
        {
            "datasets" => ("/datasets", new[] { ".datasets-table tbody tr" }, (string?)null),
            "traces" => ("/traces", [".traces-table tr.trace-row"], (string?)null),
            "trace-deep-link" => ($"/traces/{trace}/sentences/{DeepLinkSentence}", [$"#s-{DeepLinkSentence}[aria-selected='true']", $"#sentence-detail .sentence-detail[data-index='{DeepLinkSentence}']"],
                "#curve-chart .js-plotly-plot[data-linked='true']"),
            "study" => ($"/datasets/{study}/study", ["[data-testid=study-chart] .js-plotly-plot"], "[data-testid=study-chart] .js-plotly-plot .barlayer .trace"),
            "search" => ($"/search?text={Uri.EscapeDataString("argument goes")}", [".hits-table tr.hit"], (string?)null),
            "agreement" => ($"/agreement?dataset={_agreement!.DatasetId}&taxonomy={_agreement.TaxonomyId}", ["tr.tag-row td.alpha"], (string?)null),
            "jobs" => ("/jobs", [".jobs-table tr.job-row"], (string?)null),
            "job" => ($"/jobs/{job}", ["[data-testid=job-summary]"], (string?)null),
            "import" => ("/import", ["[data-testid=import-form]"], (string?)null),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };

        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        var response = await page.GotoAsync(address);
        await page.WaitForCircuitAsync();
        foreach (var selector in ready is null ? main : [.. main, ready])
        {
            await Assertions.Expect(page.Locator(selector).First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        }

        // Fonts and the chart settle before the page is measured.
        await page.EvaluateAsync("() => document.fonts.ready");
        output.WriteLine(await page.ScreenshotAsync($"screen-{name}-{viewport}", fullPage: false));
        output.WriteLine(await page.ScreenshotAsync($"screen-{name}-{viewport}-full"));

        Assert.Equal(200, response!.Status);
        var widths = await page.EvaluateAsync<JsonElement>("() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })");
        Assert.True(
            widths.GetProperty("scroll").GetInt32() <= widths.GetProperty("client").GetInt32() + 1,
            $"{address} scrolls sideways at {viewport}: {widths}");
        await page.AssertNoSidewaysScrollAsync(viewport);
        foreach (var selector in main)
        {
            var place = await page.Locator(selector).First.EvaluateAsync<JsonElement>(
                "e => { const b = e.getBoundingClientRect(); return { top: b.top, bottom: b.bottom, left: b.left, right: b.right, height: innerHeight, width: innerWidth }; }");
            double P(string n) => place.GetProperty(n).GetDouble();
            Assert.True(
                P("bottom") > 0 && P("top") < P("height") && P("right") > 0 && P("left") < P("width"),
                $"{selector} on {address} is off the first screen at {viewport}: {place}");
        }

        // Nothing in the app bar is cut off: each item lies inside the viewport.
        var bar = await page.EvaluateAsync<JsonElement>(
            """
            () => Array.from(document.querySelectorAll('header .mud-toolbar > *'))
              .filter(e => e.checkVisibility())
              .map(e => { const b = e.getBoundingClientRect(); return { name: e.className || e.tagName, left: b.left, right: b.right }; })
              .filter(b => b.left < 0 || b.right > document.documentElement.clientWidth)
            """);
        Assert.True(bar.GetArrayLength() == 0, $"app bar items cut off at {viewport}: {bar}");
        Assert.Empty(browser.Errors);
    }
}
