using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TraceViewer.Accounts;
using TraceViewer.BrowserTests.Accounts;
using TraceViewer.Datasets;
using TraceViewer.Tests;
using TraceViewer.Tests.Accounts;
using TraceViewer.Workspaces;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Workspaces;

/// <summary>
/// The import page in Chromium for a researcher who is a researcher in Alpha and a reader in Beta: the Workspace select
/// lists Default and Alpha, not Beta, and a folder imported into Alpha lands there.
/// </summary>
public sealed class ImportWorkspaceBrowserTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private const string Researcher = "importer@example.test";
    private static readonly SemaphoreSlim Setup = new(1, 1);
    private static readonly Dictionary<BrowserApp, int> AlphaIds = [];

    private async Task<int> EnsureWorldAsync()
    {
        await Setup.WaitAsync();
        try
        {
            if (AlphaIds.TryGetValue(app, out var known))
            {
                return known;
            }

            await app.App.AddAccountAsync("admin@example.test", Roles.Admin);
            var researcher = await app.App.AddAccountAsync(Researcher, Roles.Researcher);
            await using var scope = app.App.Services.CreateAsyncScope();
            var workspaces = scope.ServiceProvider.GetRequiredService<WorkspaceService>();
            var alpha = (await workspaces.CreateAsync("Alpha")).Id!.Value;
            var beta = (await workspaces.CreateAsync("Beta")).Id!.Value;
            Assert.Null(await workspaces.SetMemberAsync(alpha, researcher, Roles.Researcher));
            Assert.Null(await workspaces.SetMemberAsync(beta, researcher, Roles.Reader));
            await app.App.Services.GetRequiredService<AccountsState>().RefreshAsync(force: true);
            AlphaIds[app] = alpha;
            return alpha;
        }
        finally
        {
            Setup.Release();
        }
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task AResearcherImportsIntoAWorkspaceWhereItIsAResearcher(string viewport)
    {
        var alpha = await EnsureWorldAsync();
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await AccountsBrowserApp.SignInAsync(browser, Researcher);
        await page.GotoAsync("/import");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("[data-testid=import-form]")).ToBeVisibleAsync();

        await page.Locator(".import-workspace .mud-select").First.ClickAsync();
        var options = page.Locator(".mud-popover-open .mud-list-item");
        await Assertions.Expect(options).ToHaveCountAsync(2);
        Assert.Equal(["Default", "Alpha"], (await options.AllTextContentsAsync()).Select(t => t.Trim()));
        output.WriteLine(await page.ScreenshotAsync($"import-workspace-choice-{viewport}", fullPage: false));
        await options.Filter(new() { HasTextRegex = new("^Alpha$") }).ClickAsync();
        await Assertions.Expect(page.Locator(".import-workspace input").First).ToHaveValueAsync("Alpha");

        await page.Locator("input[name=folder]").SetInputFilesAsync(SharedPaths.Fixtures("thought-anchors", "qwq-32b"));
        await Assertions.Expect(page.Locator("[data-testid=import-chosen]")).ToContainTextAsync("Folder qwq-32b");
        await page.Locator("[data-testid=import-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=import-summary]")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("[data-testid=import-datasets] a")).ToHaveTextAsync("qwq-32b / yes_base_solution");

        await using (var db = app.App.CreateDbContext())
        {
            Assert.Equal(alpha, await db.Set<Dataset>().Where(d => d.Key == "thought-anchors-viewer/qwq-32b/yes_base_solution").Select(d => d.WorkspaceId).SingleAsync());
        }

        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"import-workspace-done-{viewport}"));
        Assert.Empty(browser.Errors);
    }
}
