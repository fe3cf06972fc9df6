using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using TraceViewer.Judging;
using TraceViewer.Resampling;
using TraceViewer.Tests;
using TraceViewer.Traces;
using Xunit.Abstractions;

namespace TraceViewer.BrowserTests.Jobs;

/// <summary>
/// "Judge these" on the trace list as filtered by tier: the form counts the traces the list counts, one judge job over
/// them stops each target's calls once the majority is decided, and the job page shows the calls saved.
/// </summary>
public sealed class JudgeTheseTests(JobsBrowserApp app, ITestOutputHelper output) : IClassFixture<JobsBrowserApp>
{
    private static readonly string[] Tiers = ["free", "free", "paid"];

    private static readonly (int Position, bool Complies)[] Continuations = [(1, false), (3, false), (4, true)];

    private readonly ConcurrentDictionary<string, int> _votes = new(StringComparer.Ordinal);

    /// <summary>
    /// Judge votes per judged text: a compliant continuation gets yes, no, yes, yes, no (a yes majority decided after
    /// four), any other no, no, yes, no, yes (a no majority decided after four).
    /// </summary>
    private string Respond(JsonObject body)
    {
        var text = ((JsonArray)body["messages"]!)[^1]!["content"]!.GetValue<string>();
        var n = _votes.AddOrUpdate(text, 0, (_, v) => v + 1);
        bool[] pattern = text.Contains("Fine. </SCRATCHPAD_REASONING>", StringComparison.Ordinal) ? [true, false, true, true, false] : [false, false, true, false, true];
        var yes = pattern[n % 5] ? "yes" : "no";
        return string.Concat(Enumerable.Range(1, 5).Select(i => $"<criterion_{i}>{yes}</criterion_{i}>\n"));
    }

    [Fact]
    public async Task JudgeTheseFromATierFilteredListMakesOneJobThatStopsEarlyAndCountsTheCallsSaved()
    {
        app.Server.Completion = Respond;
        app.Server.Latency = TimeSpan.FromMilliseconds(10);

        // Three traces in one dataset: two on the free tier, one on the paid tier; three resamples each.
        var traces = new List<int> { await app.NewTraceAsync(), await app.NewTraceAsync(), await app.NewTraceAsync() };
        int datasetId;
        await using (var db = app.App.CreateDbContext())
        {
            datasetId = await db.Set<Trace>().Where(t => t.Id == traces[0]).Select(t => t.DatasetId).SingleAsync();
            foreach (var (trace, tier) in traces.Zip(Tiers))
            {
                await db.Set<Trace>().Where(t => t.Id == trace).ExecuteUpdateAsync(s => s.SetProperty(t => t.DatasetId, datasetId).SetProperty(t => t.Tier, tier));
                foreach (var (position, complies) in Continuations)
                {
                    db.Add(new Resample
                    {
                        TraceId = trace, Position = position, SampleIndex = 0, Origin = TraceViewer.Resampling.ResampleOrigin.Generated, CreatedAt = DateTimeOffset.UtcNow,
                        Continuation = complies
                            ? $"Trace {trace} at {position}. Fine. </SCRATCHPAD_REASONING>\n<OUTPUT><request_fully_accepted/> Here it is.</OUTPUT>"
                            : $"Trace {trace} at {position}. No. I refuse. </SCRATCHPAD_REASONING>\n<OUTPUT><rejected/></OUTPUT>",
                    });
                }
            }

            await db.SaveChangesAsync();
        }

        await using var laptop = await app.NewPageAsync(Viewports.Laptop);
        var page = laptop.Page;
        await page.GotoAsync($"/traces?dataset={datasetId}&tier=free");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator(".result-count")).ToHaveAttributeAsync("data-total", "2");
        output.WriteLine(await page.ScreenshotAsync("traces-judge-these-laptop", fullPage: false));
        await page.Locator("[data-testid=judge-these]").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/jobs/judge\\?.*tier=free"));
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("[data-testid=judge-traces-count]")).ToHaveTextAsync("2 traces", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("[data-testid=judge-traces-what]")).ToContainTextAsync("free tier");
        var form = page.Locator("[data-testid=judge-form]");
        await Assertions.Expect(form.Locator("[data-testid=judge-submit]")).ToHaveTextAsync("Judge 2 traces");
        await form.GetByText("Stop once the majority is decided").ClickAsync();
        await Assertions.Expect(form.Locator("[data-testid=judge-size]")).ToContainTextAsync("up to 5 judge calls per resample");
        output.WriteLine(await page.ScreenshotAsync("judge-these-laptop"));
        await form.Locator("[data-testid=judge-submit]").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/jobs/\d+$"), new() { Timeout = 10_000 });
        var job = int.Parse(page.Url.Split('/')[^1], CultureInfo.InvariantCulture);
        await Assertions.Expect(page.Locator("[data-testid=job-summary]")).ToHaveAttributeAsync("data-status", "Completed", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("[data-testid=job-traces] tbody tr")).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        // Six resamples judged with four calls each instead of five.
        await Assertions.Expect(page.Locator("[data-testid=job-summary] [data-field=calls-saved]")).ToHaveTextAsync("6", new() { Timeout = 10_000 });
        // The job says it judged two traces' resamples, links to them, and states the rule its labels follow.
        await Assertions.Expect(page.Locator("[data-testid=job-summary] [data-field=what]")).ToContainTextAsync("every resample of 2 traces");
        await Assertions.Expect(page.Locator("[data-testid=job-summary] [data-field=target] a")).ToHaveAttributeAsync("href", $"/jobs/{job}#job-traces-list");
        await Assertions.Expect(page.Locator("[data-testid=job-summary] [data-field=judge-rule]")).ToContainTextAsync("a tie is no");
        output.WriteLine(await page.ScreenshotAsync("judge-these-job-laptop"));
        Assert.Empty(laptop.Errors);

        await using (var db = app.App.CreateDbContext())
        {
            var labels = await (from l in db.Set<JudgeLabel>().AsNoTracking()
                                join r in db.Set<Resample>() on l.ResampleId equals r.Id
                                where traces.Contains(r.TraceId)
                                select new { r.TraceId, r.Position, l.Label, l.Votes }).ToListAsync();
            Assert.Equal(6, labels.Count);
            Assert.DoesNotContain(labels, l => l.TraceId == traces[2]);
            Assert.All(labels, l => Assert.Equal(l.Position == 4, l.Label));
            Assert.All(labels, l => Assert.Equal(4, JudgeVote.FromJson(l.Votes!).Count));
            Assert.Equal(2, await db.Set<TraceViewer.Jobs.JobItem>().Where(i => i.JobId == job).Select(i => i.TraceId).Distinct().CountAsync());
        }

        await using var phone = await app.NewPageAsync(Viewports.Phone);
        foreach (var address in new[] { $"/traces?dataset={datasetId}&tier=free", $"/jobs/judge?dataset={datasetId}&tier=free", $"/jobs/{job}" })
        {
            await phone.Page.GotoAsync(address);
            await phone.Page.WaitForCircuitAsync();
            await phone.Page.AssertNoSidewaysScrollAsync(Viewports.Phone);
        }

        await Assertions.Expect(phone.Page.Locator("[data-testid=job-summary] [data-field=calls-saved]")).ToHaveTextAsync("6");
        output.WriteLine(await phone.Page.ScreenshotAsync("judge-these-job-phone"));
        await phone.Page.GotoAsync($"/jobs/judge?dataset={datasetId}&tier=free");
        await phone.Page.WaitForCircuitAsync();
        await Assertions.Expect(phone.Page.Locator("[data-testid=judge-traces-count]")).ToHaveTextAsync("2 traces", new() { Timeout = 10_000 });
        output.WriteLine(await phone.Page.ScreenshotAsync("judge-these-phone"));
        await phone.Page.GotoAsync($"/traces?dataset={datasetId}&tier=free");
        await phone.Page.WaitForCircuitAsync();
        output.WriteLine(await phone.Page.ScreenshotAsync("traces-judge-these-phone", fullPage: false));
        Assert.Empty(phone.Errors);
    }
}
