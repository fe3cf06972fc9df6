using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TraceViewer.Tags;
using TraceViewer.Tests.Agreement;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Agreement;

public sealed class AgreementPageTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static readonly SeededAnnotator Ann = new(AnnotatorKind.Person, "ann");
    private static readonly SeededAnnotator Model = new(AnnotatorKind.Model, "claude-3-5-sonnet-20241022 tagging run");
    private static readonly SeededAnnotator Import = new(AnnotatorKind.Import, "alignment-faking-transcripts.jsonl");

    /// <summary>Three annotators over 4 traces x 15 sentences with four kinds of reasoning, and verdicts on 8 traces.</summary>
    private async Task<SeededAgreement> SeedAsync()
    {
        var random = new Random(3);
        string[] tags = ["training awareness", "values conflict", "strategic compliance", "harm concern"];
        var truth = Enumerable.Range(0, 60).Select(_ => tags.Where(_ => random.NextDouble() < 0.35).ToArray()).ToArray();
        var given = new IReadOnlyList<string>[3, 60];
        for (var a = 0; a < 3; a++)
        {
            for (var s = 0; s < 60; s++)
            {
                var set = tags.Where(t => truth[s].Contains(t) ? random.NextDouble() < 0.8 : random.NextDouble() < 0.1).ToList();
                given[a, s] = random.NextDouble() < 0.1 ? [] : set.Count > 0 ? set : [tags[s % 4]];
            }
        }

        var seeded = await AgreementSeeder.SeedAsync(app.App, new AgreementSeed
        {
            DatasetName = "Claude 3 Opus, helpful-only setting", Traces = 8, SentencesPerTrace = 15, Tags = tags, Annotators = [Ann, Model, Import],
            TagsOf = (a, s) => s < 60 ? given[a, s] : [],
            SentenceText = s => $"Sentence {s}: I am being trained to comply, and <b>refusing</b> would change my values.",
        });
        bool[] ann = [true, true, false, false, true, false, true, false];
        bool[] bo = [true, false, false, false, true, false, true, true];
        bool[] judge = [true, true, true, false, false, false, true, false];
        await AgreementSeeder.SeedVerdictsAsync(app.App, seeded,
            new[] { ("ann", ann), ("bo", bo) }.SelectMany(p => p.Item2.Select((v, t) => (p.Item1, t, v))), "five-criteria judge", judge.Select((l, t) => (t, l)));
        return seeded;
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheFiguresAreInTheFirstScreenAndAnAnnotatorCanBeLeftOut(string viewport)
    {
        var seeded = await SeedAsync();
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/agreement?dataset={seeded.DatasetId}&taxonomy={seeded.TaxonomyId}");
        await page.WaitForCircuitAsync();

        await Assertions.Expect(page.Locator("tr.tag-row")).ToHaveCountAsync(4);
        await page.AssertNoSidewaysScrollAsync(viewport);
        var size = Viewports.Size(viewport);
        var firstFigure = await page.Locator("tr.tag-row").First.Locator("td.alpha").BoundingBoxAsync();
        Assert.True(firstFigure!.Y + firstFigure.Height <= size.Height, $"the first tag's alpha ends at {firstFigure.Y + firstFigure.Height}px, below the first screen");
        output.WriteLine(await page.ScreenshotAsync($"agreement-{viewport}"));
        output.WriteLine(await page.ScreenshotAsync($"agreement-{viewport}-screen", fullPage: false));
        await Assertions.Expect(page.Locator("[data-testid=tag-agreement] [data-testid=pair]")).ToHaveCountAsync(3);

        await page.Locator($"a.annotator-chip[data-annotator='{Import.Key}']").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("annotator=Model"));
        await Assertions.Expect(page.Locator("[data-testid=tag-agreement] [data-testid=pair]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tr.tag-row td.fleiss").First).ToHaveTextAsync("—");
        await page.AssertNoSidewaysScrollAsync(viewport);

        await page.Locator("[data-testid=judge-view]").ScrollIntoViewIfNeededAsync();
        output.WriteLine(await page.ScreenshotAsync($"agreement-judge-{viewport}-screen", fullPage: false));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task AVerdictGivenOnTheTracePageCountsOnTheAgreementPage()
    {
        var seeded = await AgreementSeeder.SeedAsync(app.App, new AgreementSeed { Traces = 2, SentencesPerTrace = 3 });
        await AgreementSeeder.SeedVerdictsAsync(app.App, seeded, [("ann", 0, true)], "judge-y", [(0, true), (1, true)]);
        await using var browser = await app.NewPageAsync(Viewports.Phone);
        var page = browser.Page;
        await page.GotoAsync($"/traces/{seeded.TraceIds[1]}");
        await page.WaitForCircuitAsync();
        await page.AssertNoSidewaysScrollAsync(Viewports.Phone);
        output.WriteLine(await page.ScreenshotAsync("trace-verdict-phone-screen", fullPage: false));

        await page.Locator("[data-testid=verdict-yes]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=verdict-control]")).ToHaveAttributeAsync("data-verdict", "yes");
        await page.GotoAsync($"/agreement?dataset={seeded.DatasetId}");
        // ann said yes on trace 0 and the local owner now on trace 1: the judge says yes on both, so 2 of 2.
        await Assertions.Expect(page.Locator("[data-testid=judge-majority] .precision .counts")).ToHaveTextAsync("2 of 2 judge yes");
        Assert.Empty(browser.Errors);
    }
}
