using Microsoft.Playwright;

namespace TraceViewer.BrowserTests.Web;

/// <summary>Every page works under the app's Content-Security-Policy: the browser reports no violation and the scripts run.</summary>
public sealed class ContentSecurityPolicyTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task EveryPageWorksWithoutAViolation()
    {
        await using var browser = await app.NewPageAsync();
        var page = browser.Page;
        await page.AddInitScriptAsync("window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));");
        var traceId = app.Trace.TraceId;

        var violations = new List<string>();
        foreach (var path in new[] { "/datasets", "/traces", "/search?q=step", "/jobs", "/import", $"/traces/{traceId}" })
        {
            var response = await page.GotoAsync(path);
            Assert.Contains("script-src 'self'", await response!.HeaderValueAsync("content-security-policy"), StringComparison.Ordinal);
            violations.AddRange((await page.EvaluateAsync<string[]>("() => window.__csp")).Select(v => path + ": " + v));
        }

        // The trace page's chart (plotly) draws and a click shows the sentence's detail through the circuit.
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("#curve-chart .js-plotly-plot")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await page.Locator("#s-3").ClickAsync();
        await Assertions.Expect(page.Locator("#sentence-detail .sentence-detail[data-index='3']")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        violations.AddRange(await page.EvaluateAsync<string[]>("() => window.__csp"));

        Assert.Empty(violations);
        Assert.Empty(browser.Errors);
    }
}
