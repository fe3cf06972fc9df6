using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Jobs;

/// <summary>A tag job started over the API is listed on the jobs page and shown on its own page with a readable name.</summary>
public sealed class TagJobTests(JobsBrowserApp app, ITestOutputHelper output) : IClassFixture<JobsBrowserApp>
{
    [Theory]
    [InlineData(Viewports.Laptop)]
    [InlineData(Viewports.Phone)]
    public async Task ATagJobIsListedWithItsTaxonomyAndSentenceCount(string viewport)
    {
        var trace = await app.NewTraceAsync();
        using var client = new HttpClient { BaseAddress = app.BaseAddress };
        var response = await client.PostAsJsonAsync("/api/jobs", new
        {
            kind = "tag", traceId = trace, provider = "loop", positions = new { from = 1, to = 3 },
            tag = new { taxonomy = "Alignment-faking reasoning", votes = 1 },
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt32();
        await using var browser = await app.NewPageAsync(viewport);
        var page = browser.Page;

        await page.GotoAsync("/jobs");
        await page.WaitForCircuitAsync();
        var row = page.Locator($"tr:has(td[data-job-id='{id}'])");
        await Assertions.Expect(row.Locator("[data-field=what]")).ToHaveTextAsync("tag with Alignment-faking reasoning on 3 sentences");
        await Assertions.Expect(row.Locator("[data-field=status]")).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"jobs-tag-{viewport}"));

        await page.GotoAsync($"/jobs/{id}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Tag job #{id}");
        await Assertions.Expect(page.Locator("[data-testid=job-summary] [data-field=what]")).ToHaveTextAsync("tag with Alignment-faking reasoning on 3 sentences");
        await page.AssertNoSidewaysScrollAsync(viewport);
        output.WriteLine(await page.ScreenshotAsync($"job-tag-{viewport}"));
        Assert.Empty(browser.Errors);
    }
}
