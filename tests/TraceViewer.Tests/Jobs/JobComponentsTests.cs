using TraceViewer.Jobs;

namespace TraceViewer.Tests.Jobs;

public sealed class JobComponentsTests
{
    private const string HostileError = "HTTP 500: <script>window.__pwned = 1</script><img src=x onerror=alert(1)>";

    internal static JobStatusView View(
        string status = nameof(JobStatus.Running), int total = 12, int done = 5, int failed = 1, int running = 2,
        IReadOnlyList<JobItemError>? errors = null, string? lastError = null) => new(
        Id: 42, Kind: "Resample", Status: status, TraceId: 7, DatasetId: null, Provider: "loop", Model: "model-x",
        Parameters: new JobParameters { From = 0, To = 3, N = 3, Sampling = new SamplingParameters(0.6, 0.95, null) },
        Total: total, Done: done, Failed: failed, Pending: total - done - failed - running, Running: running, Retries: 3,
        PromptTokens: 1_200, CompletionTokens: 3_400, Cost: 0.0071, ItemsPerMinute: 30, EtaSeconds: 12,
        CreatedAt: new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), StartedAt: null, FinishedAt: null, LastError: lastError,
        Errors: errors ?? []);

    private static Task<AngleSharp.Dom.IDocument> SummaryAsync(JobStatusView job, IReadOnlyList<PositionCounts>? positions = null) =>
        ComponentRenderer.RenderAsync<JobSummary>(new()
        {
            [nameof(JobSummary.Detail)] = new JobDetailView(new JobRow(job, "Problem 1", "/traces/7"), positions ?? []),
        });

    [Theory]
    [InlineData(nameof(JobStatus.Queued), new[] { "pause", "cancel" })]
    [InlineData(nameof(JobStatus.Running), new[] { "pause", "cancel" })]
    [InlineData(nameof(JobStatus.Paused), new[] { "resume", "cancel" })]
    [InlineData(nameof(JobStatus.Completed), new string[0])]
    [InlineData(nameof(JobStatus.Cancelled), new string[0])]
    [InlineData(nameof(JobStatus.Failed), new string[0])]
    public async Task OnlyActiveJobsHaveButtonsAndTheyPostToTheJob(string status, string[] actions)
    {
        var document = await SummaryAsync(View(status));

        var buttons = document.QuerySelectorAll("[data-action]");
        Assert.Equal(actions, buttons.Select(b => b.GetAttribute("data-action")));
        Assert.All(buttons, b => Assert.Equal($"/jobs/42/{b.GetAttribute("data-action")}", b.GetAttribute("hx-post")));
        Assert.All(buttons, b => Assert.Equal("#job-summary", b.GetAttribute("hx-target")));
    }

    [Theory]
    [InlineData(nameof(JobStatus.Running), true)]
    [InlineData(nameof(JobStatus.Paused), true)]
    [InlineData(nameof(JobStatus.Completed), false)]
    [InlineData(nameof(JobStatus.Cancelled), false)]
    public async Task TheSummaryPollsOnlyWhileTheJobIsActive(string status, bool polls)
    {
        var document = await SummaryAsync(View(status));

        var root = document.QuerySelector("#job-summary")!;
        Assert.Equal(polls, root.HasAttribute("hx-trigger"));
        Assert.Equal(polls ? "/jobs/42/summary" : null, root.GetAttribute("hx-get"));
    }

    [Fact]
    public async Task ErrorTextFromProvidersIsShownAsText()
    {
        var errors = new[] { new JobItemError(9, 7, 2, 1, "Failed", 5, HostileError) };

        var document = await SummaryAsync(View(errors: errors, lastError: HostileError));

        Assert.Equal(HostileError, document.QuerySelector(".job-errors .error-text")!.TextContent);
        Assert.Equal(HostileError, document.QuerySelector("[data-testid=job-error]")!.TextContent);
        Assert.Empty(document.QuerySelectorAll("#job-summary script, #job-summary img"));
    }

    [Fact]
    public async Task CountsPerPositionAndTotalsAreShown()
    {
        PositionCounts[] positions = [new(0, 3, 0, 0, 0), new(1, 2, 1, 0, 0), new(2, 0, 0, 2, 1), new(3, 0, 0, 0, 3)];

        var document = await SummaryAsync(View(), positions);

        var rows = document.QuerySelectorAll("[data-testid=job-positions] tbody tr");
        Assert.Equal(["0", "1", "2", "3"], rows.Select(r => r.GetAttribute("data-position")));
        Assert.Equal(["3", "2", "0", "0"], rows.Select(r => r.QuerySelector("[data-field=done]")!.TextContent));
        Assert.Equal(["0", "1", "0", "0"], rows.Select(r => r.QuerySelector("[data-field=failed]")!.TextContent));
        Assert.Equal(["3", "3", "3", "3"], rows.Select(r => r.QuerySelector("[data-field=total]")!.TextContent));
        Assert.Equal(2, document.QuerySelectorAll("tr.position-finished").Length);
        Assert.Equal("5 done · 1 failed · 2 running · 4 pending · 12 total", document.QuerySelector("[data-field=counts]")!.TextContent);
    }

    [Fact]
    public async Task ProgressShowsDoneAndFailedShares()
    {
        var document = await ComponentRenderer.RenderAsync<JobProgress>(new() { [nameof(JobProgress.Job)] = View(total: 8, done: 4, failed: 2, running: 0) });

        var bars = document.QuerySelectorAll(".progress-bar");
        Assert.Equal(["width: 50%", "width: 25%"], bars.Select(b => b.GetAttribute("style")));
        Assert.Equal("6", document.QuerySelector("[role=progressbar]")!.GetAttribute("aria-valuenow"));
        Assert.Equal("4 / 8 (2 failed)", document.QuerySelector(".job-progress-count")!.TextContent);
    }

    [Fact]
    public async Task TheTablePollsWhileAnyJobIsActiveAndLinksTargets()
    {
        var finished = View(nameof(JobStatus.Completed)) with { Id = 1 };
        var running = View() with { Id = 2 };

        var idle = await ComponentRenderer.RenderAsync<JobTable>(new() { [nameof(JobTable.View)] = new JobTableView([new JobRow(finished, "Problem 1", "/traces/7")]) });
        var busy = await ComponentRenderer.RenderAsync<JobTable>(new()
        {
            [nameof(JobTable.View)] = new JobTableView([new JobRow(running, "Problem 1", "/traces/7"), new JobRow(finished, "Problem 1", "/traces/7")]),
        });

        Assert.False(idle.QuerySelector("#job-table")!.HasAttribute("hx-trigger"));
        Assert.Equal("/jobs/table", busy.QuerySelector("#job-table")!.GetAttribute("hx-get"));
        Assert.Equal(["2", "1"], busy.QuerySelectorAll("tbody tr").Select(r => r.GetAttribute("data-job-id")));
        Assert.Equal("/traces/7", busy.QuerySelector("[data-field=target] a")!.GetAttribute("href"));
        Assert.Equal("30/min", busy.QuerySelector("[data-field=rate]")!.TextContent);
        Assert.Equal("4,600", busy.QuerySelector("[data-field=tokens]")!.TextContent);
        Assert.Equal("$0.0071", busy.QuerySelector("[data-field=cost]")!.TextContent);
    }

    [Fact]
    public async Task TheTracePanelPollsWithItsMetricsStampAndItsButtonsTargetThePanel()
    {
        var view = new TraceJobsView(7, [View(nameof(JobStatus.Paused))], MetricsStamp: 31, Poll: true);

        var document = await ComponentRenderer.RenderAsync<TraceJobs>(new() { [nameof(TraceJobs.View)] = view });

        var root = document.QuerySelector("#trace-jobs")!;
        Assert.Equal("/traces/7/jobs?stamp=31", root.GetAttribute("hx-get"));
        Assert.Equal(["/traces/7/jobs/42/resume", "/traces/7/jobs/42/cancel"], document.QuerySelectorAll("[data-action]").Select(b => b.GetAttribute("hx-post")));
        Assert.All(document.QuerySelectorAll("[data-action]"), b => Assert.Equal("#trace-jobs", b.GetAttribute("hx-target")));
    }

    [Fact]
    public async Task TheTracePanelListsWhyAJobWasNotStarted()
    {
        var view = new TraceJobsView(7, [], 0, Poll: false) { Errors = new Dictionary<string, string[]> { ["n"] = ["n must be between 1 and 10000."], ["provider"] = ["<b>bad</b>"] } };

        var document = await ComponentRenderer.RenderAsync<TraceJobs>(new() { [nameof(TraceJobs.View)] = view });

        Assert.Equal(["n", "provider"], document.QuerySelectorAll("[data-testid=resample-errors] li").Select(l => l.GetAttribute("data-field")));
        Assert.Equal("<b>bad</b>", document.QuerySelector("li[data-field=provider]")!.TextContent);
        Assert.False(document.QuerySelector("#trace-jobs")!.HasAttribute("hx-trigger"));
    }
}
