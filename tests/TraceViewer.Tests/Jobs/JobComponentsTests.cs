using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using TraceViewer.Jobs;

namespace TraceViewer.Tests.Jobs;

/// <summary>The jobs components on their own (bunit), with job commands the test answers.</summary>
public sealed class JobComponentsTests : MudComponentTests
{
    private const string HostileError = "HTTP 500: <script>window.__pwned = 1</script><img src=x onerror=alert(1)>";

    private readonly FakeJobCommands _commands = new();

    public JobComponentsTests() => Services.AddSingleton<IJobCommands>(_commands);

    internal static JobStatusView View(
        string status = nameof(JobStatus.Running), int total = 12, int done = 5, int failed = 1, int running = 2,
        IReadOnlyList<JobItemError>? errors = null, string? lastError = null, int id = 42, double? eta = 12) => new(
        Id: id, Kind: "Resample", Status: status, TraceId: 7, DatasetId: null, Provider: "loop", Model: "model-x",
        Parameters: new JobParameters { From = 0, To = 3, N = 3, Sampling = new SamplingParameters(0.6, 0.95, null) },
        Total: total, Done: done, Failed: failed, Pending: total - done - failed - running, Running: running, Retries: 3,
        PromptTokens: 1_200, CompletionTokens: 3_400, Cost: 0.0071, ItemsPerMinute: 30, EtaSeconds: eta,
        CreatedAt: new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), StartedAt: null, FinishedAt: null, LastError: lastError,
        Errors: errors ?? []);

    private IRenderedComponent<JobSummary> Summary(JobStatusView job, IReadOnlyList<PositionCounts>? positions = null) =>
        Render<JobSummary>(p => p.Add(c => c.Detail, new JobDetailView(new JobRow(job, "Problem 1", "/traces/7"), positions ?? [])));

    private static IEnumerable<string?> Actions(IRenderedComponent<JobActions> actions) =>
        actions.FindAll("button[data-action]").Select(b => b.GetAttribute("data-action"));

    [Theory]
    [InlineData(nameof(JobStatus.Queued), new[] { "pause", "cancel" })]
    [InlineData(nameof(JobStatus.Running), new[] { "pause", "cancel" })]
    [InlineData(nameof(JobStatus.Paused), new[] { "resume", "cancel" })]
    [InlineData(nameof(JobStatus.Completed), new string[0])]
    [InlineData(nameof(JobStatus.Cancelled), new string[0])]
    [InlineData(nameof(JobStatus.Failed), new string[0])]
    public void OnlyActiveJobsHaveButtons(string status, string[] expected)
    {
        var actions = Render<JobActions>(p => p.Add(c => c.Job, View(status)));

        Assert.Equal(expected, Actions(actions));
    }

    [Theory]
    [InlineData("pause", JobAction.Pause)]
    [InlineData("cancel", JobAction.Cancel)]
    public void AButtonChangesItsJobAndEveryButtonWaitsDisabledForTheAnswer(string button, JobAction action)
    {
        var actions = Render<JobActions>(p => p.Add(c => c.Job, View()));

        actions.Find($"button[data-action={button}]").Click();

        Assert.Equal([(42, action)], _commands.Changes);
        Assert.All(actions.FindAll("button[data-action]"), b => Assert.True(b.HasAttribute("disabled")));
        _commands.NextChange.SetResult(JobChange.Done);
        actions.WaitForAssertion(() => Assert.All(actions.FindAll("button[data-action]"), b => Assert.False(b.HasAttribute("disabled"))));
    }

    [Fact]
    public void AJudgeJobsSummaryNamesItsJudgeAndCallsInsteadOfPositionsTimesN()
    {
        var judge = View(nameof(JobStatus.Completed)) with
        {
            Kind = "Judge",
            Parameters = new JobParameters { N = 20, Judge = new JudgeSettings { Classifier = "af-five-criteria", Target = JudgeSettings.Resamples, EarlyStop = true } },
        };

        var summary = Summary(judge);

        Assert.Equal("af-five-criteria on every resample · up to 5 votes per target, stopping once the majority is decided",
            summary.Find("[data-field=what]").TextContent.Trim());
        Assert.DoesNotContain("Positions × n", summary.Markup, StringComparison.Ordinal);
        Assert.NotEmpty(summary.FindAll("[data-field=calls-saved]"));
    }

    [Fact]
    public void AChangeTheJobNoLongerAllowsIsExplainedInASnackbar()
    {
        var snackbars = Render<MudSnackbarProvider>();
        var actions = Render<JobActions>(p => p.Add(c => c.Job, View(nameof(JobStatus.Paused))));

        actions.Find("button[data-action=resume]").Click();
        _commands.NextChange.SetResult(JobChange.NotAllowed);

        snackbars.WaitForAssertion(() => Assert.Contains("Job #42 could not be resumed: it has moved on meanwhile.", snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void AFailedChangeShowsItsErrorInASnackbarAndTheButtonsComeBack()
    {
        var snackbars = Render<MudSnackbarProvider>();
        var actions = Render<JobActions>(p => p.Add(c => c.Job, View()));

        actions.Find("button[data-action=cancel]").Click();
        _commands.NextChange.SetException(new InvalidOperationException("database is locked"));

        snackbars.WaitForAssertion(() => Assert.Contains("Job #42 could not be cancelled: database is locked", snackbars.Markup, StringComparison.Ordinal));
        actions.WaitForAssertion(() => Assert.False(actions.Find("button[data-action=cancel]").HasAttribute("disabled")));
    }

    [Fact]
    public void ErrorTextFromProvidersIsShownAsText()
    {
        var errors = new[] { new JobItemError(9, 7, 2, 1, "Failed", 5, HostileError) };

        var summary = Summary(View(errors: errors, lastError: HostileError));

        Assert.Equal(HostileError, summary.Find("[data-testid=job-errors] pre.error-text").TextContent);
        Assert.Equal(HostileError, summary.Find("[data-testid=job-error] .error-text").TextContent);
        Assert.Empty(summary.FindAll("script, img"));
    }

    [Fact]
    public void CountsPerPositionAndTotalsAreShown()
    {
        PositionCounts[] positions = [new(0, 3, 0, 0, 0), new(1, 2, 1, 0, 0), new(2, 0, 0, 2, 1), new(3, 0, 0, 0, 3)];

        var summary = Summary(View(), positions);

        var rows = summary.FindAll("[data-testid=job-positions] tbody tr");
        Assert.Equal(["0", "1", "2", "3"], rows.Select(r => r.QuerySelector("[data-position]")!.GetAttribute("data-position")));
        Assert.Equal(["3", "2", "0", "0"], rows.Select(r => r.QuerySelector("[data-field=done]")!.TextContent));
        Assert.Equal(["0", "1", "0", "0"], rows.Select(r => r.QuerySelector("[data-field=failed]")!.TextContent));
        Assert.Equal(["3", "3", "3", "3"], rows.Select(r => r.QuerySelector("[data-field=total]")!.TextContent));
        Assert.Equal(2, summary.FindAll("tr.position-finished").Count);
        Assert.Equal("5 done · 1 failed · 2 running · 4 pending · 12 total", summary.Find("[data-field=counts]").TextContent);
        Assert.Equal("/traces/7", summary.Find("[data-field=target] a").GetAttribute("href"));
    }

    [Fact]
    public void ProgressShowsDoneAndFailedShares()
    {
        var progress = Render<JobProgress>(p => p.Add(c => c.Job, View(total: 8, done: 4, failed: 2, running: 0)));

        Assert.Equal("width: 50%", progress.Find(".job-bar-done").GetAttribute("style"));
        Assert.Equal("width: 25%", progress.Find(".job-bar-failed").GetAttribute("style"));
        Assert.Equal("6", progress.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
        Assert.Equal("4", progress.Find("[data-field=done]").TextContent);
        Assert.Equal("8", progress.Find("[data-field=total]").TextContent);
        Assert.Contains("2 failed", progress.Find(".job-progress-failed").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(12.2, "13 s")]
    [InlineData(95.0, "1 min 35 s")]
    [InlineData(7_300.0, "2 h 1 min")]
    [InlineData(null, "–")]
    public void NumbersShowRateEtaTokensCostAndFailures(double? eta, string shown)
    {
        var numbers = Render<JobNumbers>(p => p.Add(c => c.Job, View(eta: eta)));

        Assert.Equal("30/min", numbers.Find("[data-field=rate]").TextContent);
        Assert.Equal(shown, numbers.Find("[data-field=eta]").TextContent);
        Assert.Equal("4,600", numbers.Find("[data-field=tokens]").TextContent);
        Assert.Equal("$0.0071", numbers.Find("[data-field=cost]").TextContent);
        Assert.Equal("1", numbers.Find("[data-field=errors]").TextContent);
    }

    [Fact]
    public void TheTableListsJobsWithTheirTargetsProgressAndActions()
    {
        var finished = View(nameof(JobStatus.Completed), id: 1, done: 12, failed: 0, running: 0);
        var running = View(id: 2);

        var table = Render<JobTable>(p => p.Add(c => c.Rows, [new JobRow(running, "Problem <1>", "/traces/7"), new JobRow(finished, "Problem <1>", "/traces/7")]));

        Assert.Equal(["2", "1"], table.FindAll("td[data-job-id]").Select(c => c.GetAttribute("data-job-id")));
        Assert.Equal(["Running", "Completed"], table.FindAll("[data-field=status]").Select(c => c.TextContent.Trim()));
        Assert.Equal("Problem <1>", table.Find("[data-field=target] a").TextContent);
        Assert.Equal(["pause", "cancel"], table.FindAll("button[data-action]").Select(b => b.GetAttribute("data-action")));
        Assert.Equal(["5", "12"], table.FindAll("[data-testid=job-progress]").Select(p => p.GetAttribute("data-done")));
    }

    [Fact]
    public void WithoutJobsTheTableSaysHowToStartOne()
    {
        var table = Render<JobTable>(p => p.Add(c => c.Rows, []));

        Assert.Contains("Start one from a trace page", table.Find("[data-testid=empty-state]").TextContent, StringComparison.Ordinal);
    }
}
