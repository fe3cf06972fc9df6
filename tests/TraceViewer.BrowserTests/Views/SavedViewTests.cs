using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TraceViewer.Tests;
using TraceViewer.Tests.Studies;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Views;

/// <summary>"Save view" on the traces, search and study pages, the /views list and a view's own address.</summary>
public sealed class SavedViewTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private static async Task<string> SaveAsync(IPage page, string name, bool shared)
    {
        await page.Locator("[data-testid=save-view]").ClickAsync();
        await page.Locator("input[data-testid=view-name]").FillAsync(name);
        if (shared)
        {
            await page.GetByLabel("Share with signed-in users who read its datasets").CheckAsync();
        }

        await page.Locator("[data-testid=view-save]").ClickAsync();
        var link = page.Locator("[data-testid=view-link]");
        await Assertions.Expect(link).ToBeVisibleAsync();
        return (await link.GetAttributeAsync("href"))!;
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task AViewSavedOnTheTracesPageIsListedAndOpensThePageWithItsFilters(string viewport)
    {
        var model = $"views-{viewport}-{Guid.NewGuid():N}"[..30];
        for (var i = 0; i < 3; i++)
        {
            await TraceSeeder.SeedAsync(app.App, new TraceSeed { Model = model, Title = $"Saved {i}", Sentences = ["One."], ResamplesPerSentence = 1, Successes = _ => 1 });
        }

        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/traces?model={model}&sort=title");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("tr.trace-row")).ToHaveCountAsync(3);
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"traces-save-view-{viewport}", fullPage: false));

        var link = await SaveAsync(page, $"Traces of {model}", shared: true);
        output.WriteLine(await page.ScreenshotAsync($"save-view-dialog-{viewport}", fullPage: false));
        Assert.Matches("^/v/[0-9]+$", link);

        await page.GotoAsync("/views");
        await page.WaitForCircuitAsync();
        var row = page.Locator("tr", new() { Has = page.Locator($"a[href='{link}']") });
        await Assertions.Expect(row).ToBeVisibleAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"views-{viewport}", fullPage: false));

        await row.Locator($"a[href='{link}']").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/traces\\?model={model}&sort=title$"));
        await Assertions.Expect(page.Locator("tr.trace-row")).ToHaveCountAsync(3);
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheSearchAndStudyPagesOfferSaveView(string viewport)
    {
        var id = await StudySeeder.SeedAsync(app.App, "Saved study",
            SeededCondition.Of("helpful-only", "free", n: 10, compliant: 5, faking: 2),
            SeededCondition.Of("helpful-only", "paid", n: 10, compliant: 2, faking: 0));
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;

        await page.GotoAsync("/search?text=answer");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("[data-testid=save-view]")).ToBeVisibleAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"search-save-view-{viewport}", fullPage: false));

        await page.GotoAsync($"/datasets/{id}/study?variant=helpful-only&tier=paid");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("tr.study-trace").First).ToBeVisibleAsync();
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"study-save-view-{viewport}", fullPage: false));
        var link = await SaveAsync(page, "Paid tier", shared: false);

        await page.GotoAsync(link);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/datasets/{id}/study\\?variant=helpful-only&tier=paid$"));
        Assert.Empty(browser.Errors);
    }
}
