using System.Net;
using TraceViewer.Web;

namespace TraceViewer.Tests.Web;

public sealed class SecurityHeadersTests(TestApp app) : IClassFixture<TestApp>
{
    [Theory]
    [InlineData("/datasets")]
    [InlineData("/api/traces")]
    [InlineData("/css/site.css")]
    [InlineData("/no-such-page")]
    [InlineData("/api/jobs/999")]
    public async Task EveryResponseCarriesTheSecurityHeaders(string path)
    {
        using var response = await app.CreateClient().GetAsync(path);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(new SecurityHeadersOptions().Policy(), csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task ProblemDocumentsCarryThemToo()
    {
        using var response = await app.CreateClient().PostAsync("/traces/1/recompute", new FormUrlEncodedContent([]));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        Assert.Contains("frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }

    [Fact]
    public void ThePolicyAllowsOnlyTheAppsOwnScriptsAndIsNotFramed()
    {
        var directives = new SecurityHeadersOptions().Policy().Split("; ").ToDictionary(d => d[..d.IndexOf(' ', StringComparison.Ordinal)], d => d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..]);

        Assert.Equal("'self'", directives["script-src"]);
        Assert.Equal("'none'", directives["frame-ancestors"]);
        Assert.Equal("'none'", directives["object-src"]);
        Assert.Equal("'self'", directives["connect-src"]);
        Assert.Equal("'self' 'unsafe-inline'", directives["style-src"]);
        Assert.Equal("'self' data:", directives["img-src"]);
    }

    [Fact]
    public async Task ADirectiveCanBeChangedOrDroppedInConfiguration()
    {
        await using var configured = new TestApp()
            .WithSetting("SecurityHeaders:ContentSecurityPolicy:connect-src", "'self' wss://example.test")
            .WithSetting("SecurityHeaders:ContentSecurityPolicy:form-action", "");

        using var response = await configured.CreateClient().GetAsync("/datasets");

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("connect-src 'self' wss://example.test", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("form-action", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
    }
}
