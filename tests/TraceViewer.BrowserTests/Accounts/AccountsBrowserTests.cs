using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TraceViewer.Accounts;
using TraceViewer.Tests.Accounts;

namespace TraceViewer.BrowserTests.Accounts;

/// <summary>The app of the account tests: its own database, on which the first admin is created through the setup link.</summary>
public sealed class AccountsBrowserApp : BrowserApp
{
    public const string AdminEmail = "admin@example.test";

    private readonly SemaphoreSlim _setup = new(1, 1);
    private bool _adminExists;

    public AccountsBrowserApp()
        : base(null)
    {
    }

    /// <summary>Creates the first admin through the one-time setup link in the browser, once; checks the link then refuses a second use.</summary>
    public async Task EnsureAdminAsync()
    {
        await _setup.WaitAsync();
        try
        {
            if (_adminExists)
            {
                return;
            }

            var link = App.Services.GetRequiredService<SetupLink>().Create()!;
            await using (var browser = await NewPageAsync())
            {
                var page = browser.Page;
                await page.GotoAsync(link);
                await page.FillAsync("#email", AdminEmail);
                await page.FillAsync("#password", AccountSeeder.Password);
                await page.FillAsync("#confirm", AccountSeeder.Password);
                await page.ClickAsync("[data-testid=setup-submit]");
                await page.WaitForURLAsync("**" + AccountsExtensions.UsersPath);
                await page.WaitForCircuitAsync();
                await Assertions.Expect(page.Locator("[data-testid=user-email]")).ToHaveTextAsync(AdminEmail);
                Assert.Empty(browser.Errors);
            }

            await using (var again = await NewPageAsync())
            {
                var response = await again.Page.GotoAsync(link);
                Assert.Equal(410, response!.Status);
                await Assertions.Expect(again.Page.Locator("[data-testid=setup-invalid]")).ToBeVisibleAsync();
            }

            _adminExists = true;
        }
        finally
        {
            _setup.Release();
        }
    }

    /// <summary>Signs <paramref name="browser"/> in through the sign-in page.</summary>
    public static async Task SignInAsync(BrowserPage browser, string email, string password = AccountSeeder.Password)
    {
        await browser.Page.GotoAsync(AccountsExtensions.SignInPath);
        await browser.Page.FillAsync("#email", email);
        await browser.Page.FillAsync("#password", password);
        await browser.Page.ClickAsync("[data-testid=sign-in-submit]");
        await browser.Page.WaitForURLAsync(url => !url.Contains(AccountsExtensions.SignInPath, StringComparison.Ordinal));
    }
}

/// <summary>Accounts in Chromium: setup link, invitations, roles in the trace's jobs panel, sign-in redirects, and how the pages look.</summary>
public sealed class AccountsBrowserTests(AccountsBrowserApp app) : IClassFixture<AccountsBrowserApp>
{
    [Fact]
    public async Task AnAdminInvitesAReaderWhoCanReadButNotStartJobsAndTheLinkWorksOnce()
    {
        await app.EnsureAdminAsync();
        await using var admin = await app.NewPageAsync();
        await AccountsBrowserApp.SignInAsync(admin, AccountsBrowserApp.AdminEmail);
        await admin.Page.GotoAsync(AccountsExtensions.UsersPath);
        await admin.Page.WaitForCircuitAsync();
        await admin.Page.Locator("input[data-field=invite-email]").FillAsync("reader@example.test");
        // The role chooser starts at reader, the fewest rights.
        await admin.Page.ClickAsync("[data-testid=invite-submit]");
        var link = (await admin.Page.Locator("[data-testid=invite-link]").TextContentAsync())!.Trim();

        await using var reader = await app.NewPageAsync();
        await reader.Page.GotoAsync(link);
        await Assertions.Expect(reader.Page.Locator("[data-testid=invitation-role]")).ToHaveTextAsync(Roles.Reader);
        await reader.Page.FillAsync("#password", AccountSeeder.Password);
        await reader.Page.FillAsync("#confirm", AccountSeeder.Password);
        await reader.Page.ClickAsync("[data-testid=invitation-submit]");
        await reader.Page.WaitForURLAsync("**/datasets");
        await reader.Page.GotoAsync($"/traces/{app.Trace.TraceId}");
        await reader.Page.WaitForCircuitAsync();
        var jobs = await reader.Page.APIRequest.PostAsync("/api/jobs", new APIRequestContextOptions
        {
            DataObject = new { kind = "resample", traceId = app.Trace.TraceId, n = 1, provider = "none", model = "m" },
        });

        await Assertions.Expect(reader.Page.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync("reader@example.test");
        await Assertions.Expect(reader.Page.Locator("[data-testid=jobs-not-allowed]")).ToBeVisibleAsync();
        await Assertions.Expect(reader.Page.Locator("[data-testid=resample-tab], [data-testid=job-forms]")).ToHaveCountAsync(0);
        await Assertions.Expect(reader.Page.Locator("[data-testid=recompute-form]")).ToHaveCountAsync(0);
        Assert.Equal(403, jobs.Status);

        await using var again = await app.NewPageAsync();
        var second = await again.Page.GotoAsync(link);
        Assert.Equal(410, second!.Status);
        await Assertions.Expect(again.Page.Locator("[data-testid=invitation-invalid]")).ToHaveAttributeAsync("data-state", "used");
        Assert.DoesNotContain(reader.Errors, e => !e.Contains("/api/jobs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AResearcherSeesTheJobFormsAndTheApiTakesTheirRequest()
    {
        await app.EnsureAdminAsync();
        await app.App.AddAccountAsync("researcher@example.test", Roles.Researcher);
        await using var browser = await app.NewPageAsync();
        await AccountsBrowserApp.SignInAsync(browser, "researcher@example.test");
        await browser.Page.GotoAsync($"/traces/{app.Trace.TraceId}");
        await browser.Page.WaitForCircuitAsync();

        var jobs = await browser.Page.APIRequest.PostAsync("/api/jobs", new APIRequestContextOptions
        {
            DataObject = new { kind = "resample", traceId = app.Trace.TraceId, n = 1, provider = "none", model = "m" },
        });

        await Assertions.Expect(browser.Page.Locator("[data-testid=job-forms]")).ToBeVisibleAsync();
        await Assertions.Expect(browser.Page.Locator("[data-testid=jobs-not-allowed]")).ToHaveCountAsync(0);
        // Past the role check: the API's own rules answer (no provider is configured here).
        Assert.Equal(400, jobs.Status);
        Assert.DoesNotContain(AccountsExtensions.UsersPath, await browser.Page.Locator(".app-nav").InnerHTMLAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnonymousVisitorsAreSentToSignInAndComeBackAfterIt()
    {
        await app.EnsureAdminAsync();
        await using var browser = await app.NewPageAsync();

        await browser.Page.GotoAsync("/jobs?q=Step");
        await browser.Page.WaitForURLAsync("**/account/sign-in?returnUrl=*");
        await browser.Page.FillAsync("#email", AccountsBrowserApp.AdminEmail);
        await browser.Page.FillAsync("#password", AccountSeeder.Password);
        await browser.Page.ClickAsync("[data-testid=sign-in-submit]");
        await browser.Page.WaitForURLAsync("**/jobs?q=Step");
        await browser.Page.WaitForCircuitAsync();
        await browser.Page.ClickAsync("[data-testid=sign-out]");
        await browser.Page.WaitForURLAsync("**/account/sign-in?signedOut=true");

        await Assertions.Expect(browser.Page.Locator("[data-testid=signed-out]")).ToBeVisibleAsync();
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task TheSignInAndUsersPagesFitTheScreen(string viewport)
    {
        await app.EnsureAdminAsync();
        await using var browser = await app.NewPageAsync(viewport);

        await browser.Page.GotoAsync(AccountsExtensions.SignInPath);
        await Assertions.Expect(browser.Page.Locator("[data-testid=sign-in-form]")).ToBeVisibleAsync();
        await browser.Page.AssertNoSidewaysScrollAsync(viewport);
        await browser.Page.ScreenshotAsync($"screen-sign-in-{viewport}");

        await AccountsBrowserApp.SignInAsync(browser, AccountsBrowserApp.AdminEmail);
        await browser.Page.GotoAsync(AccountsExtensions.UsersPath);
        await browser.Page.WaitForCircuitAsync();
        await browser.Page.Locator("input[data-field=invite-email]").FillAsync($"someone.with.a.long.address.{viewport}@example.test");
        await browser.Page.ClickAsync("[data-testid=invite-submit]");
        await Assertions.Expect(browser.Page.Locator("[data-testid=invite-link]")).ToBeVisibleAsync();
        await browser.Page.AssertNoSidewaysScrollAsync(viewport);
        await browser.Page.ScreenshotAsync($"screen-users-{viewport}");

        if (viewport == Viewports.Laptop)
        {
            // An admin's bar holds every link (Shares and Users last) and the email beside them, none over another.
            var email = await browser.Page.GetByTestId("signed-in-as").BoundingBoxAsync();
            Assert.NotNull(email);
            Assert.True(email.Width > 0);
            var links = browser.Page.Locator("nav.app-nav a");
            await Assertions.Expect(links.Last).ToHaveTextAsync("Users");
            foreach (var link in await links.AllAsync())
            {
                var box = (await link.BoundingBoxAsync())!;
                var overlaps = box.X < email.X + email.Width && email.X < box.X + box.Width
                    && box.Y < email.Y + email.Height && email.Y < box.Y + box.Height;
                Assert.False(overlaps, $"{await link.TextContentAsync()} at x {box.X:0}..{box.X + box.Width:0} overlaps the email at x {email.X:0}..{email.X + email.Width:0}");
                Assert.True(box.X + box.Width <= 1440, $"{await link.TextContentAsync()} ends past the screen");
            }
        }
        Assert.Empty(browser.Errors);
    }
}

/// <summary>Without accounts nothing asks to sign in.</summary>
public sealed class LocalOwnerBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task TheLocalOwnerUsesEveryPageWithoutSigningIn()
    {
        await using var browser = await app.NewPageAsync(Viewports.Laptop);

        await browser.Page.GotoAsync($"/traces/{app.Trace.TraceId}");
        await browser.Page.WaitForCircuitAsync();
        await Assertions.Expect(browser.Page.Locator("[data-testid=job-forms]")).ToBeVisibleAsync();
        await Assertions.Expect(browser.Page.Locator("[data-testid=signed-in-as], [data-testid=sign-out]")).ToHaveCountAsync(0);
        await browser.Page.GotoAsync(AccountsExtensions.UsersPath);
        await browser.Page.WaitForCircuitAsync();

        await Assertions.Expect(browser.Page.Locator("[data-testid=no-accounts]")).ToBeVisibleAsync();
        Assert.DoesNotContain(AccountsExtensions.SignInPath, browser.Page.Url, StringComparison.Ordinal);
        Assert.Empty(browser.Errors);
    }
}
