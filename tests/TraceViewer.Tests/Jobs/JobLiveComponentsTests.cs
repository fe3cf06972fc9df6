using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Components;
using TraceViewer.Jobs;
using TraceViewer.Providers;

namespace TraceViewer.Tests.Jobs;

/// <summary>An app whose worker is off, so jobs stay in the states a test writes; with one provider for the resample form.</summary>
public sealed class JobsAppFixture : IDisposable
{
    public TestApp App { get; } = new TestApp()
        .WithSetting("Jobs:WorkerEnabled", "false")
        .WithSetting("Providers:loop:BaseUrl", "http://127.0.0.1:9/v1")
        .WithSetting("Providers:loop:Models:0", "model-x")
        .WithSetting("Providers:loop:Models:1", "model-y");

    public void Dispose() => App.Dispose();
}

/// <summary>
/// The jobs pages and the trace's jobs panel in bunit, reading the real database, with a progress feed the test pushes
/// updates through: what a page shows follows what it is pushed, and it subscribes only once interactive.
/// </summary>
public sealed class JobLiveComponentsTests : PageComponentTests, IClassFixture<JobsAppFixture>
{
    private readonly FakeJobProgressFeed _feed = new();

    private readonly FixedAccess _access = new(null);

    public JobLiveComponentsTests(JobsAppFixture fixture)
        : base(fixture.App)
    {
        var scopes = App.Services.GetRequiredService<IServiceScopeFactory>();
        Services.AddSingleton(new QueryScope<JobPageQueries>(scopes));
        Services.AddSingleton<IJobProgressFeed>(_feed);
        Services.AddSingleton<IJobCommands>(new FakeJobCommands());
        Services.AddSingleton(App.Services.GetRequiredService<ProviderRegistry>());
        Services.AddSingleton<TraceViewer.Accounts.IAccess>(_access);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private Task<SeededTrace> SeedTraceAsync() =>
        TraceSeeder.SeedAsync(App, new TraceSeed { DatasetKey = $"jobs/{Guid.NewGuid():N}", Sentences = ["One.", "Two.", "Three.", "Four."], ResamplesPerSentence = 2, Successes = _ => 1 });

    private async Task<JobStatusView> StatusAsync(int id)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<JobStatusQuery>().GetAsync(id, CancellationToken.None))!;
    }

    private static JobItemStatus[] Pending(int n) => [.. Enumerable.Repeat(JobItemStatus.Pending, n)];

    [Fact]
    public async Task TheJobsPageShowsWhatTheFeedPushesAndUnsubscribesWhenDisposed()
    {
        var trace = await SeedTraceAsync();
        var id = await JobSeeder.AddJobAsync(App, trace.TraceId, JobStatus.Running, Pending(4), Pending(4));

        var page = Render<JobsPage>();
        var row = page.WaitForElement($"td[data-job-id='{id}']").ParentElement!;
        Assert.Equal("0", row.QuerySelector("[data-testid=job-progress]")!.GetAttribute("data-done"));
        var subscription = Assert.Single(_feed.Subscribers);
        Assert.Equal(JobTopic.All, subscription.Topic);
        Assert.Contains(subscription.Shown.Jobs, j => j.Id == id);

        var pushed = await StatusAsync(id) with { Done = 5, Pending = 3, ItemsPerMinute = 40, EtaSeconds = 95, PromptTokens = 700, CompletionTokens = 300, Cost = 0.25 };
        await page.InvokeAsync(() => _feed.PushAsync(new JobFeedUpdate([pushed], NewJobs: false, ResultsStored: false)));

        page.WaitForAssertion(() =>
        {
            var updated = page.Find($"td[data-job-id='{id}']").ParentElement!;
            Assert.Equal("5", updated.QuerySelector("[data-testid=job-progress]")!.GetAttribute("data-done"));
            Assert.Equal("1 min 35 s", updated.QuerySelector("[data-field=eta]")!.TextContent);
            Assert.Equal("40/min", updated.QuerySelector("[data-field=rate]")!.TextContent);
            Assert.Equal("1,000", updated.QuerySelector("[data-field=tokens]")!.TextContent);
            Assert.Equal("$0.2500", updated.QuerySelector("[data-field=cost]")!.TextContent);
        });
        await DisposeComponentsAsync();
        Assert.Empty(_feed.Subscribers);
        Assert.Equal(1, _feed.Unsubscribed);
    }

    [Fact]
    public async Task ANewJobInTheFeedIsReadWithItsTarget()
    {
        var trace = await SeedTraceAsync();
        var page = Render<JobsPage>();
        page.WaitForElement("h1");

        var id = await JobSeeder.AddJobAsync(App, trace.TraceId, JobStatus.Queued, Pending(2));
        await page.InvokeAsync(() => _feed.PushAsync(new JobFeedUpdate([], NewJobs: true, ResultsStored: false)));

        var row = page.WaitForElement($"td[data-job-id='{id}']").ParentElement!;
        Assert.Equal("Problem 1", row.QuerySelector("[data-field=target] a")!.TextContent);
        Assert.Equal("Queued", row.QuerySelector("[data-field=status]")!.TextContent.Trim());
    }

    [Fact]
    public async Task WhilePrerenderingNoPageSubscribes()
    {
        var trace = await SeedTraceAsync();
        var id = await JobSeeder.AddJobAsync(App, trace.TraceId, JobStatus.Running, Pending(2));
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));

        Render<JobsPage>().WaitForElement($"td[data-job-id='{id}']");
        Render<JobPage>(p => p.Add(c => c.Id, id)).WaitForElement("[data-testid=job-summary]");
        Render<TraceJobs>(p => p.Add(c => c.TraceId, trace.TraceId)).WaitForElement("[data-testid=resample-form]");

        Assert.Empty(_feed.Subscribers);
    }

    [Fact]
    public async Task AReaderSeesTheJobsWithoutFormsOrButtons()
    {
        _access.Role = TraceViewer.Accounts.Roles.Reader;
        var trace = await SeedTraceAsync();
        var id = await JobSeeder.AddJobAsync(App, trace.TraceId, JobStatus.Running, Pending(2));

        var panel = Render<TraceJobs>(p => p.Add(c => c.TraceId, trace.TraceId));
        panel.WaitForElement($"[data-job-id='{id}']");

        Assert.NotNull(panel.Find("[data-testid=jobs-not-allowed]"));
        Assert.Empty(panel.FindAll("[data-testid=job-forms]"));
        Assert.Empty(panel.FindAll("[data-action]"));
    }

    [Fact]
    public async Task TheJobPageReadsTheJobAgainWhenTheFeedSaysItChanged()
    {
        var trace = await SeedTraceAsync();
        var id = await JobSeeder.AddJobAsync(App, trace.TraceId, JobStatus.Running, Pending(2), Pending(2));
        var page = Render<JobPage>(p => p.Add(c => c.Id, id));
        page.WaitForElement("[data-testid=job-positions]");
        Assert.Equal(JobTopic.Job(id), Assert.Single(_feed.Subscribers).Topic);

        await using (var db = App.CreateDbContext())
        {
            await JobSeeder.CompleteItemsAsync(db, id, 3);
        }

        await page.InvokeAsync(() => _feed.PushAsync(new JobFeedUpdate([], NewJobs: false, ResultsStored: false)));

        page.WaitForAssertion(() =>
            Assert.Equal(["2", "1"], page.FindAll("[data-testid=job-positions] [data-field=done]").Select(c => c.TextContent)));
        Assert.Equal("3 done · 0 failed · 0 running · 1 pending · 4 total", page.Find("[data-field=counts]").TextContent);
        Assert.Equal(["pause", "cancel"], page.FindAll("button[data-action]").Select(b => b.GetAttribute("data-action")));
    }

    [Fact]
    public async Task TheTracePanelFollowsItsJobsAndRaisesResultsStored()
    {
        var trace = await SeedTraceAsync();
        var other = await SeedTraceAsync();
        var id = await JobSeeder.AddJobAsync(App, trace.TraceId, JobStatus.Running, Pending(3));
        await JobSeeder.AddJobAsync(App, other.TraceId, JobStatus.Running, Pending(3));
        var stored = 0;

        var panel = Render<TraceJobs>(p => p.Add(c => c.TraceId, trace.TraceId).Add(c => c.ResultsStored, () => stored++));
        panel.WaitForElement($"li.trace-job[data-job-id='{id}']");
        var subscription = Assert.Single(_feed.Subscribers);
        Assert.Equal(JobTopic.Trace(trace.TraceId), subscription.Topic);
        Assert.Equal(new TraceResultsStamp(8, trace.Metrics.Select(m => m.MetricSetId).Max()), subscription.Shown.Results);
        Assert.Single(panel.FindAll("li.trace-job"));

        var pushed = await StatusAsync(id) with { Done = 2, Pending = 1, Status = nameof(JobStatus.Paused), EtaSeconds = null };
        await panel.InvokeAsync(() => _feed.PushAsync(new JobFeedUpdate([pushed], NewJobs: false, ResultsStored: true)));

        panel.WaitForAssertion(() => Assert.Equal(1, stored));
        var job = panel.Find($"li.trace-job[data-job-id='{id}']");
        Assert.Equal("Paused", job.GetAttribute("data-status"));
        Assert.Equal("2", job.QuerySelector("[data-testid=job-progress]")!.GetAttribute("data-done"));
        Assert.Equal("–", job.QuerySelector("[data-field=eta]")!.TextContent);
        Assert.Equal(["resume", "cancel"], panel.FindAll("button[data-action]").Select(b => b.GetAttribute("data-action")));
    }

    [Fact]
    public async Task AJobStartedFromThePanelIsListedAtOnce()
    {
        var trace = await SeedTraceAsync();
        var commands = (FakeJobCommands)Services.GetRequiredService<IJobCommands>();
        var created = 0;
        commands.Create = request =>
        {
            using var db = App.CreateDbContext();
            created = JobSeeder.AddJobAsync(db, request.TraceId!.Value, JobStatus.Queued, App.Clock.GetUtcNow(), Pending(request.N)).GetAwaiter().GetResult();
            return (created, null);
        };
        var panel = Render<TraceJobs>(p => p.Add(c => c.TraceId, trace.TraceId));
        panel.WaitForElement("[data-testid=no-jobs]");

        panel.Find("[data-testid=resample-submit]").Click();

        panel.WaitForAssertion(() => Assert.NotNull(panel.Find($"li.trace-job[data-job-id='{created}']")));
        Assert.Equal($"/jobs/{created}", panel.Find("[data-testid=job-created] a").GetAttribute("href"));
        var request = Assert.Single(commands.Requests);
        Assert.Equal((trace.TraceId, 20, "loop", "model-x", 0.6, 0.95), (request.TraceId!.Value, request.N, request.Provider, request.Model, request.Temperature!.Value, request.TopP!.Value));
        Assert.Null(request.Positions);
    }
}
