using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TraceViewer.Accounts;
using TraceViewer.BrowserTests.Accounts;
using TraceViewer.Datasets;
using TraceViewer.Tests;
using TraceViewer.Tests.Accounts;
using TraceViewer.Workspaces;

namespace TraceViewer.BrowserTests.Workspaces;

/// <summary>The workspaces page in Chromium: an admin creates a workspace, adds a member (at the default role, reader), moves a dataset there.</summary>
public sealed class WorkspacesBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Admin = "admin@example.test";
    private const string Reviewer = "reviewer@example.test";
    private static readonly SemaphoreSlim Setup = new(1, 1);

    private async Task EnsureAccountsAsync()
    {
        await Setup.WaitAsync();
        try
        {
            await using var db = app.App.CreateDbContext();
            if (!await db.Users.AnyAsync(u => u.Email == Admin))
            {
                await app.App.AddAccountAsync(Admin, Roles.Admin);
                await app.App.AddAccountAsync(Reviewer, Roles.Reader);
            }
        }
        finally
        {
            Setup.Release();
        }
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task AnAdminCreatesAWorkspaceAddsAMemberAndMovesADatasetThere(string viewport)
    {
        await EnsureAccountsAsync();
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await AccountsBrowserApp.SignInAsync(browser, Admin);
        await page.GotoAsync("/admin/workspaces");
        await page.WaitForCircuitAsync();

        var name = $"Interpretability group ({viewport})";
        await page.Locator("input[data-field=workspace-name]").FillAsync(name);
        await page.ClickAsync("[data-testid=workspace-create-submit]");
        var card = page.Locator($"[data-testid=workspace][data-workspace='{name}']");
        await Assertions.Expect(card).ToBeVisibleAsync();
        int workspaceId;
        await using (var db = app.App.CreateDbContext())
        {
            workspaceId = await db.Set<Workspace>().Where(w => w.Name == name).Select(w => w.Id).SingleAsync();
        }

        await page.ChooseAsync($"member-account-{workspaceId}", Reviewer);
        await page.ScreenshotAsync($"screen-workspaces-member-{viewport}");
        await page.ClickAsync($"[data-testid=member-add-{workspaceId}]");
        await Assertions.Expect(card.Locator("[data-testid=workspace-members]")).ToContainTextAsync(Reviewer);
        var dataset = app.Trace.DatasetId;
        await ChooseInRowAsync(page, 0, name);
        await Wait.UntilAsync(async () => (await PlacementAsync(dataset)).Item1 == workspaceId, TimeSpan.FromSeconds(30), "the dataset to move");

        await using (var db = app.App.CreateDbContext())
        {
            var member = await db.Set<WorkspaceMember>().SingleAsync(m => m.WorkspaceId == workspaceId);
            Assert.Equal(Roles.Reader, member.Role);
        }

        await page.AssertNoSidewaysScrollAsync(viewport);
        // Each cell's label ("Dataset", "Workspace", "Who reads it") stays on one line: on a phone it stands above its value.
        var labels = await page.EvaluateAsync<double[][]>(@"() => Array.from(document.querySelectorAll('[data-testid=dataset-placements] tbody tr:first-child td')).map(td => {
            const label = getComputedStyle(td, '::before');
            return [parseFloat(label.height) || 0, parseFloat(label.lineHeight) || parseFloat(label.fontSize) * 1.6];
        })");
        Assert.NotEmpty(labels);
        if (viewport == Viewports.Phone)
        {
            Assert.All(labels, l => Assert.True(l[0] > 0 && l[0] < 1.5 * l[1], $"a cell label is {l[0]}px high for {l[1]}px lines"));
        }

        await page.ScreenshotAsync($"screen-workspaces-{viewport}");
        Assert.Empty(browser.Errors);
    }

    /// <summary>With accounts on, a signed-out visitor opens a public dataset's trace (its circuit connects) and the datasets page, with a Sign in link and no write controls.</summary>
    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task ASignedOutVisitorReadsAPublicDatasetWithoutWriteControls(string viewport)
    {
        await EnsureAccountsAsync();
        var (workspace, _) = await PlacementAsync(app.Trace.DatasetId);
        await using (var scope = app.App.Services.CreateAsyncScope())
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<WorkspaceService>().PlaceAsync(app.Trace.DatasetId, workspace, DatasetVisibility.Public));
        }

        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;
        await page.GotoAsync($"/traces/{app.Trace.TraceId}/sentences/1");
        await page.WaitForCircuitAsync();
        Assert.DoesNotContain(AccountsExtensions.SignInPath, page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-testid=sign-in-link]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".trace-page")).ToHaveAttributeAsync("data-may-tag", "false");
        await Assertions.Expect(page.Locator("[data-testid=trace-jobs]")).ToHaveCountAsync(0);
        await page.AssertNoSidewaysScrollAsync(viewport);
        await page.ScreenshotAsync($"screen-public-trace-{viewport}");

        await page.GotoAsync("/datasets");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Test problems");
        await Assertions.Expect(page.Locator(".kinds-link")).ToHaveCountAsync(0);
        await page.AssertNoSidewaysScrollAsync(viewport);
        await page.ScreenshotAsync($"screen-public-datasets-{viewport}");
        Assert.Empty(browser.Errors);
    }

    /// <summary>Opens the <paramref name="select"/>th select of the dataset's row (workspace, visibility) and clicks an item.</summary>
    private static async Task ChooseInRowAsync(IPage page, int select, string item)
    {
        await page.Locator("[data-testid=dataset-placements] tbody tr").First.Locator(".mud-select").Nth(select).ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new($"^{System.Text.RegularExpressions.Regex.Escape(item)}$") }).ClickAsync();
    }

    private async Task<(int, DatasetVisibility)> PlacementAsync(int datasetId)
    {
        await using var db = app.App.CreateDbContext();
        return await db.Set<Dataset>().Where(d => d.Id == datasetId).Select(d => ValueTuple.Create(d.WorkspaceId, d.Visibility)).SingleAsync();
    }
}
