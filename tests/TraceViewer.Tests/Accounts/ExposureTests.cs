using System.Net;
using TraceViewer.Tests.Faults;

namespace TraceViewer.Tests.Accounts;

/// <summary>The real app process: without accounts it will not serve other machines unless told to; an account made with `users add` turns sign-in on.</summary>
[Collection(FaultGroup.Name)]
public sealed class ExposureTests(FaultFixture fixture)
{
    [Fact]
    public async Task WithoutAccountsListeningBeyondLoopbackRefusesToStartAndNamesTheSetting()
    {
        var directory = fixture.CopyDatabase();
        var settings = fixture.Settings(directory);
        settings["Urls"] = "http://0.0.0.0:0";
        await using var app = AppProcess.Start(directory, settings);

        var exit = await app.WaitForExitAsync();

        Assert.Equal(TraceViewer.Web.ExposureWarning.RefusedExitCode, exit);
        Assert.Contains("Refusing to serve beyond this machine", app.Output, StringComparison.Ordinal);
        Assert.Contains("Accounts:AllowAnonymousBeyondLoopback=true", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("/setup?token=", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOverrideServesEveryoneAsTheOwnerWithAWarning()
    {
        var directory = fixture.CopyDatabase();
        var settings = fixture.Settings(directory);
        settings["Urls"] = "http://0.0.0.0:0";
        settings["Accounts:AllowAnonymousBeyondLoopback"] = "true";
        await using var app = AppProcess.Start(directory, settings);
        await app.WaitUntilListeningAsync();

        var page = await app.Client.GetAsync("/datasets");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(app.Lines, l => l.Contains("without accounts, because Accounts:AllowAnonymousBeyondLoopback is true", StringComparison.Ordinal));
        await app.StopAsync();
    }

    [Fact]
    public async Task AnAccountAddedOnTheCommandLineTurnsSignInOnAndLetsTheAppServeBeyondLoopback()
    {
        var directory = fixture.CopyDatabase();
        var settings = fixture.Settings(directory);
        await using (var add = AppProcess.Start(directory, settings, Launch.Plain, null, "users", "add", "owner@example.test", "--role", "admin"))
        {
            Assert.Equal(0, await add.WaitForExitAsync());
            Assert.Contains("Created owner@example.test (admin)", add.Output, StringComparison.Ordinal);
            Assert.Contains(add.Lines, l => l.StartsWith("Password (shown only now", StringComparison.Ordinal));
        }

        settings["Urls"] = "http://0.0.0.0:0";
        await using var app = AppProcess.Start(directory, settings);
        await app.WaitUntilListeningAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };

        var page = await client.GetAsync("/jobs");
        var jobs = await client.PostAsync("/api/jobs", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/sign-in", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, jobs.StatusCode);
        Assert.DoesNotContain("/setup?token=", app.Output, StringComparison.Ordinal);
        await app.StopAsync();
    }
}
