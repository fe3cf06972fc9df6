using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TraceViewer.Accounts;
using TraceViewer.BrowserTests.Accounts;
using TraceViewer.Sharing;
using TraceViewer.Tests.Accounts;

namespace TraceViewer.BrowserTests.Sharing;

/// <summary>The app of the sharing tests: accounts on (a researcher), so a visitor who is not signed in has only the link.</summary>
public sealed class ShareBrowserApp : BrowserApp
{
    public const string ResearcherEmail = "researcher@example.test";

    private readonly SemaphoreSlim _setup = new(1, 1);
    private bool _ready;

    public ShareBrowserApp()
        : base(null)
    {
    }

    public async Task EnsureResearcherAsync()
    {
        await _setup.WaitAsync();
        try
        {
            if (!_ready)
            {
                await App.AddAccountAsync(ResearcherEmail, Roles.Researcher);
                _ready = true;
            }
        }
        finally
        {
            _setup.Release();
        }
    }
}

/// <summary>Share links in Chromium: made in the share dialog, opened in a fresh browser, listed and revoked on the shares page.</summary>
public sealed class ShareBrowserTests(ShareBrowserApp app) : IClassFixture<ShareBrowserApp>
{
    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task AResearchersLinkOpensTheSentenceForSomeoneNotSignedInWhoCanReadNothingElseUntilItIsRevoked(string viewport)
    {
        await app.EnsureResearcherAsync();
        const int sentence = 5;
        var target = $"/traces/{app.Trace.TraceId}/sentences/{sentence}?effect=resampling";
        await using var researcher = await app.NewPageAsync(viewport);
        await AccountsBrowserApp.SignInAsync(researcher, ShareBrowserApp.ResearcherEmail);
        await researcher.Page.GotoAsync(target);
        await researcher.Page.WaitForCircuitAsync();

        var dialog = researcher.Page.Locator("[data-testid=share-dialog]");
        await researcher.Page.ClickAsync("[data-testid=share-button]");
        try
        {
            await Assertions.Expect(dialog).ToBeVisibleAsync();
        }
        catch (PlaywrightException)
        {
            // A click in the moment the page's controls turn interactive can be lost, as a person's would; they click again.
            await researcher.Page.ClickAsync("[data-testid=share-button]");
            await Assertions.Expect(dialog).ToBeVisibleAsync();
        }

        await Assertions.Expect(dialog).ToHaveCountAsync(1);
        await researcher.Page.ClickAsync("[data-testid=share-create]");
        var linkText = researcher.Page.Locator("[data-testid=share-link]");
        await Assertions.Expect(linkText).ToContainTextAsync("/s/");
        await researcher.Page.AssertNoSidewaysScrollAsync(viewport);
        await researcher.Page.ScreenshotAsync($"screen-share-dialog-{viewport}", fullPage: false);
        var link = (await linkText.InnerTextAsync()).Trim();
        Assert.Matches(new Regex("/s/[A-Za-z0-9_-]{43}$"), link);

        // A fresh browser context: no cookies, no account.
        await using (var visitor = await app.NewPageAsync(viewport))
        {
            await visitor.Page.GotoAsync(link);
            await visitor.Page.WaitForCircuitAsync();
            Assert.EndsWith(target, visitor.Page.Url, StringComparison.Ordinal);
            Assert.DoesNotContain("/s/", visitor.Page.Url, StringComparison.Ordinal);
            var detail = visitor.Page.Locator("[data-testid=sentence-detail]");
            await Assertions.Expect(detail).ToBeVisibleAsync();
            await Assertions.Expect(detail).ToContainTextAsync($"Step {sentence} of the argument");
            await Assertions.Expect(visitor.Page.Locator("[data-testid=shared-link]")).ToBeVisibleAsync();
            await Assertions.Expect(visitor.Page.Locator("[data-testid=job-forms], [data-testid=share-button]")).ToHaveCountAsync(0);
            await visitor.Page.AssertNoSidewaysScrollAsync(viewport);
            await visitor.Page.ScreenshotAsync($"screen-shared-trace-{viewport}", fullPage: false);
            Assert.Empty(visitor.Errors);

            // Moving to another sentence stays in scope, in the circuit.
            await visitor.Page.Locator($"[data-testid=sentence-detail] >> text=Next").First.ClickAsync();
            await visitor.Page.WaitForURLAsync($"**/traces/{app.Trace.TraceId}/sentences/{sentence + 1}?effect=resampling");
            await Assertions.Expect(detail).ToContainTextAsync($"Step {sentence + 1} of the argument");
            await Assertions.Expect(visitor.Page.Locator("[data-testid=not-allowed]")).ToHaveCountAsync(0);

            // Anything else is as for a signed-out visitor.
            await visitor.Page.GotoAsync("/traces");
            await visitor.Page.WaitForURLAsync("**" + AccountsExtensions.SignInPath + "?returnUrl=*");
        }

        await researcher.Page.GotoAsync(SharingExtensions.SharesPath);
        await researcher.Page.WaitForCircuitAsync();
        await Assertions.Expect(researcher.Page.Locator("[data-testid=shares-table]")).ToBeVisibleAsync();
        // Working links first, newest first.
        var newest = researcher.Page.Locator("tr", new() { Has = researcher.Page.Locator("[data-testid=share-row]") }).First;
        await Assertions.Expect(newest.Locator("[data-testid=share-uses]")).ToHaveTextAsync("1");
        await researcher.Page.AssertNoSidewaysScrollAsync(viewport);
        await researcher.Page.ScreenshotAsync($"screen-shares-{viewport}");
        await newest.Locator("[data-testid=share-revoke]").ClickAsync();
        await Assertions.Expect(newest.Locator("[data-testid=share-status]")).ToContainTextAsync("revoked");

        await using var late = await app.NewPageAsync(viewport);
        var gone = await late.Page.GotoAsync(link);
        Assert.Equal(410, gone!.Status);
        await Assertions.Expect(late.Page.Locator("[data-testid=share-revoked]")).ToBeVisibleAsync();
        Assert.Empty(researcher.Errors);
    }
}
