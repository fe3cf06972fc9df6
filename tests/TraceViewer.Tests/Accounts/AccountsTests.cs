using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceViewer.Accounts;

namespace TraceViewer.Tests.Accounts;

/// <summary>Accounts and roles through the real app on a SQLite file: the local owner, sign-in, roles on every write, setup and invitation links.</summary>
public sealed class AccountsTests : IDisposable
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly TestApp _app;

    public AccountsTests() => _app = new TestApp().WithServices(s => s.AddSingleton<ILoggerProvider>(_logs));

    public void Dispose() => _app.Dispose();

    private static JsonContent JobRequest(int traceId) =>
        JsonContent.Create(new { kind = "resample", traceId, n = 1, provider = "none", model = "m" });

    private static async Task<int> CountJobsAsync(TestApp app)
    {
        await using var db = app.CreateDbContext();
        return await db.Set<TraceViewer.Jobs.Job>().CountAsync();
    }

    [Fact]
    public async Task WithoutAccountsEveryRequestIsTheLocalOwnerWithoutSignIn()
    {
        var client = _app.NewClient();

        var datasets = await client.GetAsync("/datasets");
        var users = await client.PageAsync(AccountsExtensions.UsersPath);
        var job = await client.PostAsync("/api/jobs", JobRequest(999));
        var signIn = await client.PageAsync(AccountsExtensions.SignInPath);

        Assert.Equal(HttpStatusCode.OK, datasets.StatusCode);
        Assert.NotNull(users.QuerySelector("[data-testid=no-accounts]"));
        // The request reaches the jobs API's own checks (an unknown trace and provider), not a sign-in.
        Assert.Equal(HttpStatusCode.BadRequest, job.StatusCode);
        Assert.NotNull(signIn.QuerySelector("[data-testid=sign-in-off]"));
        Assert.Null(signIn.QuerySelector("[data-testid=signed-in-as]"));
    }

    [Fact]
    public async Task WithAnAccountAnonymousPagesAreSentToSignInAndTheApiAnswers401()
    {
        await _app.AddAccountAsync("admin@example.test", Roles.Admin);
        var client = _app.NewClient();

        // A page that is not about datasets (those open signed out, showing the public datasets only).
        var page = await client.GetAsync("/jobs?q=x");
        var api = await client.GetAsync("/api/jobs");
        var post = await client.PostAsync("/api/jobs", JobRequest(1));
        var live = await client.GetAsync("/healthz");
        var ready = await client.GetAsync("/readyz");
        var asset = await client.GetAsync("/css/site.css");
        var signIn = await client.PageAsync(AccountsExtensions.SignInPath);

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/account/sign-in?returnUrl=%2Fjobs%3Fq%3Dx", page.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.NotNull(signIn.QuerySelector("form[data-testid=sign-in-form]"));
    }

    [Fact]
    public async Task SigningInReturnsToThePageAskedForAndSigningOutEndsTheSession()
    {
        await _app.AddAccountAsync("reader@example.test", Roles.Reader);
        var client = _app.NewClient();

        var wrong = await client.SignInAsync("reader@example.test", "Not-the-password-1");
        var wrongPage = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await wrong.Content.ReadAsStringAsync());
        var signIn = await client.SubmitAsync(AccountsExtensions.SignInPath + "?returnUrl=%2Ftraces%3Fq%3Dx", "sign-in-form",
            new Dictionary<string, string> { ["email"] = "READER@example.test", ["password"] = AccountSeeder.Password });
        var traces = await client.PageAsync("/traces");
        var signOut = await client.SubmitAsync("/datasets", "sign-out-form", new Dictionary<string, string>());
        var after = await client.GetAsync("/jobs");

        Assert.Equal("Wrong email or password.", wrongPage.QuerySelector("[data-testid=sign-in-error]")!.TextContent.Trim());
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/traces?q=x", signIn.Headers.Location!.PathAndQuery);
        Assert.Equal("reader@example.test", traces.QuerySelector("[data-testid=signed-in-as]")!.TextContent.Trim());
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task AReturnAddressOnAnotherSiteIsNotFollowed()
    {
        await _app.AddAccountAsync("reader@example.test", Roles.Reader);
        var client = _app.NewClient();

        var response = await client.SubmitAsync(AccountsExtensions.SignInPath + "?returnUrl=%2F%2Fevil.example%2F", "sign-in-form",
            new Dictionary<string, string> { ["email"] = "reader@example.test", ["password"] = AccountSeeder.Password });

        Assert.Equal("localhost", response.Headers.Location!.Host);
        Assert.Equal("/", response.Headers.Location.PathAndQuery);
    }

    [Theory]
    [InlineData(Roles.Reader, HttpStatusCode.Forbidden)]
    [InlineData(Roles.Annotator, HttpStatusCode.Forbidden)]
    [InlineData(Roles.Researcher, HttpStatusCode.Created)]
    [InlineData(Roles.Admin, HttpStatusCode.Created)]
    public async Task OnlyResearchersAndAdminsStartAndChangeJobs(string role, HttpStatusCode expected)
    {
        _app.WithSetting("Providers:loop:BaseUrl", "http://127.0.0.1:9/v1").WithSetting("Providers:loop:Models:0", "m").WithSetting("Jobs:WorkerEnabled", "false");
        var trace = await TraceSeeder.SeedAsync(_app, new TraceSeed());
        var client = await _app.SignedInAsync(role);

        var create = await client.PostAsync("/api/jobs", JsonContent.Create(new { kind = "resample", traceId = trace.TraceId, n = 1, provider = "loop", model = "m" }));
        var list = await client.GetAsync("/api/jobs");
        var cancel = await client.PostAsync("/api/jobs/1/cancel", null);

        Assert.Equal(expected, create.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(expected == HttpStatusCode.Created ? HttpStatusCode.OK : HttpStatusCode.Forbidden, cancel.StatusCode);
        Assert.Equal(expected == HttpStatusCode.Created ? 1 : 0, await CountJobsAsync(_app));
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal("Not allowed", (await create.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>())!.Title);
        }
    }

    [Theory]
    [InlineData(Roles.Reader)]
    [InlineData(Roles.Annotator)]
    public async Task ARoleBelowResearcherCannotImportOrRecomputeAndDoesNotSeeTheForms(string role)
    {
        var trace = await TraceSeeder.SeedAsync(_app, new TraceSeed());
        var client = await _app.SignedInAsync(role);

        var importPage = await client.PageAsync("/import");
        var tracePage = await client.PageAsync($"/traces/{trace.TraceId}");
        var token = importPage.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? tracePage.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value") ?? "";
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/import/upload") { Content = new MultipartFormDataContent { { new StringContent("{}"), "files", "a.json" } } };
        upload.Headers.Add("RequestVerificationToken", token);
        var uploaded = await client.SendAsync(upload);
        var recompute = await client.PostAsync($"/traces/{trace.TraceId}/recompute", new FormUrlEncodedContent(new Dictionary<string, string> { ["threshold"] = "0.5" }));

        Assert.NotNull(importPage.QuerySelector("[data-testid=import-not-allowed]"));
        Assert.Null(importPage.QuerySelector("[data-testid=import-form]"));
        Assert.NotNull(tracePage.QuerySelector("[data-testid=jobs-not-allowed]"));
        Assert.Null(tracePage.QuerySelector("[data-testid=resample-form]"));
        Assert.Null(tracePage.QuerySelector("[data-testid=recompute-form]"));
        Assert.Equal(HttpStatusCode.Forbidden, uploaded.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, recompute.StatusCode);
    }

    [Fact]
    public async Task AResearcherSeesTheJobAndImportFormsButNotTheUsersPage()
    {
        var trace = await TraceSeeder.SeedAsync(_app, new TraceSeed());
        var client = await _app.SignedInAsync(Roles.Researcher);

        var importPage = await client.PageAsync("/import");
        var tracePage = await client.PageAsync($"/traces/{trace.TraceId}");
        var users = await client.GetAsync(AccountsExtensions.UsersPath);

        Assert.NotNull(importPage.QuerySelector("[data-testid=import-form]"));
        Assert.NotNull(tracePage.QuerySelector("[data-testid=job-forms]"));
        Assert.Null(tracePage.QuerySelector("a[href='/admin/users']"));
        Assert.Equal(HttpStatusCode.Redirect, users.StatusCode);
        Assert.StartsWith(AccountsExtensions.DeniedPath, users.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSetupLinkIsLoggedOnceCreatesTheFirstAdminOnceAndTurnsSignInOn()
    {
        var anonymous = _app.NewClient();
        await anonymous.GetAsync("/healthz");
        var line = Assert.Single(_logs.Lines, l => l.Contains(SetupLink.PathPrefix, StringComparison.Ordinal));
        var path = System.Text.RegularExpressions.Regex.Match(line, @"/setup\?token=[A-Za-z0-9_-]{43}").Value;
        var token = path[SetupLink.PathPrefix.Length..];
        var wrong = await anonymous.PageAsync(SetupLink.PathPrefix + "x" + token[1..], HttpStatusCode.Gone);

        var weak = await anonymous.SubmitAsync(path, "setup-form", new Dictionary<string, string> { ["email"] = "first@example.test", ["password"] = "tooweakpassword", ["confirm"] = "tooweakpassword" });
        var created = await anonymous.SubmitAsync(path, "setup-form", new Dictionary<string, string> { ["email"] = "first@example.test", ["password"] = AccountSeeder.Password, ["confirm"] = AccountSeeder.Password });
        var users = await anonymous.PageAsync(AccountsExtensions.UsersPath);
        var again = await _app.NewClient().PageAsync(path, HttpStatusCode.Gone);
        var stranger = await _app.NewClient().GetAsync("/jobs");

        Assert.NotNull(wrong.QuerySelector("[data-testid=setup-invalid]"));
        Assert.Contains("uppercase", (await weak.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal(AccountsExtensions.UsersPath, created.Headers.Location!.PathAndQuery);
        Assert.Contains("first@example.test", users.QuerySelector("[data-testid=users-table]")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(again.QuerySelector("[data-testid=setup-invalid]"));
        Assert.Equal(HttpStatusCode.Redirect, stranger.StatusCode);
        // The token is in the one line that announced it, and the password nowhere.
        Assert.Single(_logs.Lines, l => l.Contains(token, StringComparison.Ordinal));
        Assert.DoesNotContain(AccountSeeder.Password, _logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvitationCreatesItsAccountOnceAndNeverLogsItsToken()
    {
        await _app.AddAccountAsync("admin@example.test", Roles.Admin);
        var invitation = await _app.InviteAsync("new@example.test", Roles.Researcher);
        var client = _app.NewClient();

        var page = await client.PageAsync(invitation.Path);
        var accepted = await client.SubmitAsync(invitation.Path, "invitation-form", new Dictionary<string, string> { ["password"] = AccountSeeder.Password, ["confirm"] = AccountSeeder.Password });
        var home = await client.PageAsync("/datasets");
        var second = await _app.NewClient().PageAsync(invitation.Path, HttpStatusCode.Gone);
        var signIn = await _app.NewClient().SignInAsync("new@example.test");

        Assert.Equal("new@example.test", page.QuerySelector("[data-testid=invitation-email]")!.TextContent);
        Assert.Equal(Roles.Researcher, page.QuerySelector("[data-testid=invitation-role]")!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal("new@example.test", home.QuerySelector("[data-testid=signed-in-as]")!.TextContent.Trim());
        Assert.Equal("used", second.QuerySelector("[data-testid=invitation-invalid]")!.GetAttribute("data-state"));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        await using (var db = _app.CreateDbContext())
        {
            var stored = await db.Set<Invitation>().SingleAsync();
            Assert.NotEqual(invitation.Token, stored.TokenHash);
            Assert.Equal(Secrets.Hash(invitation.Token), stored.TokenHash);
            Assert.NotNull(stored.AcceptedAt);
        }

        Assert.DoesNotContain(invitation.Token, _logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(AccountSeeder.Password, _logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpiredInvitationIsRefused()
    {
        await _app.AddAccountAsync("admin@example.test", Roles.Admin);
        var invitation = await _app.InviteAsync("late@example.test", Roles.Reader);
        var form = await _app.NewClient().PageAsync(invitation.Path);
        _app.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        var page = await _app.NewClient().PageAsync(invitation.Path, HttpStatusCode.Gone);
        await using var scope = _app.Services.CreateAsyncScope();
        var accepted = await scope.ServiceProvider.GetRequiredService<AccountService>().AcceptInvitationAsync(invitation.Token, AccountSeeder.Password);

        Assert.NotNull(form.QuerySelector("form[data-testid=invitation-form]"));
        Assert.Equal("expired", page.QuerySelector("[data-testid=invitation-invalid]")!.GetAttribute("data-state"));
        Assert.False(accepted.Succeeded);
        Assert.Null(await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Microsoft.AspNetCore.Identity.IdentityUser>>().FindByEmailAsync("late@example.test"));
    }

    [Fact]
    public async Task TwoAcceptancesAtOnceCreateOneAccount()
    {
        await _app.AddAccountAsync("admin@example.test", Roles.Admin);
        var invitation = await _app.InviteAsync("twice@example.test", Roles.Reader);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var scope = _app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<AccountService>().AcceptInvitationAsync(invitation.Token, AccountSeeder.Password);
        }));

        Assert.Single(results, r => r.Succeeded);
        await using var db = _app.CreateDbContext();
        Assert.Equal(1, await db.Users.CountAsync(u => u.Email == "twice@example.test"));
    }

    [Fact]
    public async Task RepeatedWrongPasswordsLockTheAccountEvenAgainstTheRightOne()
    {
        await _app.AddAccountAsync("target@example.test", Roles.Reader);
        var client = _app.NewClient();

        for (var i = 0; i < 5; i++)
        {
            var wrong = await client.SignInAsync("target@example.test", $"Wrong-password-{i}");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var right = await client.SignInAsync("target@example.test");
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await right.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", page.QuerySelector("[data-testid=sign-in-error]")!.TextContent, StringComparison.Ordinal);
        await using var scope = _app.Services.CreateAsyncScope();
        var accounts = await scope.ServiceProvider.GetRequiredService<AccountService>().ListAsync();
        Assert.NotNull(Assert.Single(accounts).LockedUntil);
        Assert.DoesNotContain("Wrong-password-", _logs.AllText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AccountsExtensions.SignInPath)]
    [InlineData(AccountsExtensions.SignOutPath)]
    [InlineData("/account/password")]
    public async Task AFormPostWithoutItsAntiforgeryTokenIsRejected(string path)
    {
        var client = await _app.SignedInAsync(Roles.Admin);

        var forged = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = path == AccountsExtensions.SignInPath ? "sign-in" : "password",
            ["Input.Email"] = "x@example.test",
            ["Input.Password"] = "x",
        }));
        var still = await client.GetAsync("/datasets");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task ChangingThePasswordKeepsThisBrowserSignedInAndTheOldPasswordStops()
    {
        var client = await _app.SignedInAsync(Roles.Reader, "change@example.test");
        const string next = "Another-secret-42";

        var changed = await client.SubmitAsync("/account/password", "password-form", new Dictionary<string, string> { ["current"] = AccountSeeder.Password, ["password"] = next, ["confirm"] = next });
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await changed.Content.ReadAsStringAsync());
        var stillIn = await client.GetAsync("/datasets");
        var old = await _app.NewClient().SignInAsync("change@example.test");
        var fresh = await _app.NewClient().SignInAsync("change@example.test", next);

        Assert.NotNull(page.QuerySelector("[data-testid=password-changed]"));
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, fresh.StatusCode);
        Assert.DoesNotContain(next, _logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLastAdminCannotBeDemotedAndARoleChangeEndsTheOldSignIn()
    {
        var adminId = await _app.AddAccountAsync("admin@example.test", Roles.Admin);
        var readerId = await _app.AddAccountAsync("promoted@example.test", Roles.Reader);
        await using var scope = _app.Services.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<AccountService>();

        var demoted = await service.ChangeRoleAsync(adminId, Roles.Reader);
        var promoted = await service.ChangeRoleAsync(readerId, Roles.Researcher);
        var accounts = await service.ListAsync();

        Assert.False(demoted.Succeeded);
        Assert.Contains("only admin", demoted.Errors[0], StringComparison.Ordinal);
        Assert.True(promoted.Succeeded);
        Assert.Equal([("admin@example.test", Roles.Admin), ("promoted@example.test", Roles.Researcher)], accounts.Select(a => (a.Email, a.Role)));
    }
}
