using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Jobs;
using TraceViewer.MetricSets;
using TraceViewer.Tests.Data;

namespace TraceViewer.Tests.Jobs;

/// <summary>Records what a subscription was pushed, for tests that wait on it.</summary>
internal sealed class FeedRecorder
{
    public ConcurrentQueue<JobFeedUpdate> Updates { get; } = new();

    public Task OnUpdate(JobFeedUpdate update)
    {
        Updates.Enqueue(update);
        return Task.CompletedTask;
    }

    public IEnumerable<JobStatusView> Jobs => Updates.SelectMany(u => u.Jobs);

    public Task UntilAsync(Func<FeedRecorder, bool> condition, string what, int seconds = 30) =>
        Wait.UntilAsync(() => Task.FromResult(condition(this)), TimeSpan.FromSeconds(seconds), what);
}

/// <summary>
/// The progress feed against real databases: progress written by another DbContext or by another app instance on the
/// same database reaches subscribers, with no signal from the writer; the feed reads only while someone subscribes.
/// </summary>
public sealed class JobProgressFeedTests : IDisposable
{
    private readonly TestApp _pages = new TestApp()
        .WithSetting("Jobs:WorkerEnabled", "false")
        .WithSetting("Jobs:ProgressInterval", "00:00:00.100");

    public void Dispose() => _pages.Dispose();

    private JobProgressFeed Feed => _pages.Services.GetRequiredService<JobProgressFeed>();

    private static JobItemStatus[] Pending(int n) => [.. Enumerable.Repeat(JobItemStatus.Pending, n)];

    private async Task<JobStatusView> StatusAsync(int id)
    {
        await using var scope = _pages.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<JobStatusQuery>().GetAsync(id, CancellationToken.None))!;
    }

    [Fact]
    public async Task ProgressWrittenThroughAnotherDbContextReachesTheJobsSubscriber()
    {
        var trace = await TraceSeeder.SeedAsync(_pages, new TraceSeed { DatasetKey = "feed/a" });
        var id = await JobSeeder.AddJobAsync(_pages, trace.TraceId, JobStatus.Running, Pending(3), Pending(3));
        var recorder = new FeedRecorder();
        using var subscription = Feed.Subscribe(JobTopic.Job(id), new JobFeedBaseline([await StatusAsync(id)], 0), recorder.OnUpdate);

        // Not the app's context, not its services: as another process would write.
        await using (var other = TestApp.OpenDatabase(_pages.DatabasePath))
        {
            await JobSeeder.CompleteItemsAsync(other, id, 4);
        }

        await recorder.UntilAsync(r => r.Jobs.Any(j => j.Done == 4), "the feed pushes the four done items");
        var job = recorder.Jobs.Last(j => j.Done == 4);
        Assert.Equal((4, 2, 6, 600L), (job.Done, job.Pending, job.Total, job.PromptTokens + job.CompletionTokens));
        Assert.All(recorder.Jobs, j => Assert.Equal(id, j.Id));
    }

    [Fact]
    public async Task ASubscriberHearsOfNewJobsInItsTopicOnly()
    {
        var trace = await TraceSeeder.SeedAsync(_pages, new TraceSeed { DatasetKey = "feed/b" });
        var other = await TraceSeeder.SeedAsync(_pages, new TraceSeed { DatasetKey = "feed/c" });
        var latest = await JobSeeder.AddJobAsync(_pages, other.TraceId, JobStatus.Completed, [JobItemStatus.Done]);
        var mine = new FeedRecorder();
        var all = new FeedRecorder();
        using var traceSubscription = Feed.Subscribe(JobTopic.Trace(trace.TraceId), new JobFeedBaseline([], latest), mine.OnUpdate);
        using var allSubscription = Feed.Subscribe(JobTopic.All, new JobFeedBaseline([], latest), all.OnUpdate);

        var elsewhere = await JobSeeder.AddJobAsync(_pages, other.TraceId, JobStatus.Queued, Pending(2));
        await all.UntilAsync(r => r.Updates.Any(u => u.NewJobs && u.Jobs.Any(j => j.Id == elsewhere)), "the jobs page hears of the other trace's job");
        var here = await JobSeeder.AddJobAsync(_pages, trace.TraceId, JobStatus.Queued, Pending(2));
        await mine.UntilAsync(r => r.Updates.Any(u => u.NewJobs), "the trace's panel hears of its new job");

        Assert.DoesNotContain(mine.Jobs, j => j.Id == elsewhere);
        Assert.Contains(mine.Jobs, j => j.Id == here && j.Status == nameof(JobStatus.Queued));
    }

    [Fact]
    public async Task ATracesSubscriberHearsWhenResultsAreStoredWhileItsJobRuns()
    {
        var trace = await TraceSeeder.SeedAsync(_pages, new TraceSeed { DatasetKey = "feed/d" });
        var id = await JobSeeder.AddJobAsync(_pages, trace.TraceId, JobStatus.Running, Pending(2));
        var stamp = new TraceResultsStamp(trace.Sentences.Count * 10, trace.Metrics.Max(m => m.MetricSetId));
        var recorder = new FeedRecorder();
        using var subscription = Feed.Subscribe(JobTopic.Trace(trace.TraceId), new JobFeedBaseline([await StatusAsync(id)], id, stamp), recorder.OnUpdate);
        await recorder.UntilAsync(r => !r.Updates.IsEmpty, "the first look sends the running job");
        Assert.DoesNotContain(recorder.Updates, u => u.ResultsStored);

        await using (var other = TestApp.OpenDatabase(_pages.DatabasePath))
        {
            other.Add(new MetricSet { TraceId = trace.TraceId, OutcomeId = trace.OutcomeId, Source = MetricSource.Computed, ComputedAt = DateTimeOffset.UtcNow });
            await other.SaveChangesAsync();
        }

        await recorder.UntilAsync(r => r.Updates.Any(u => u.ResultsStored), "the recomputed metrics are reported");
    }

    [Fact]
    public async Task ATracesSubscriberHearsWhenAJobOverSeveralTracesStoresItsResults()
    {
        var trace = await TraceSeeder.SeedAsync(_pages, new TraceSeed { DatasetKey = "feed/several" });
        var id = await JobSeeder.AddJobAsync(_pages, trace.TraceId, JobStatus.Running, Pending(2));
        await using (var db = _pages.CreateDbContext())
        {
            // A job given a list of traces has no single trace; its items name them.
            await db.Set<Job>().Where(j => j.Id == id).ExecuteUpdateAsync(s => s.SetProperty(j => j.TraceId, (int?)null));
        }

        var stamp = new TraceResultsStamp(trace.Sentences.Count * 10, trace.Metrics.Max(m => m.MetricSetId));
        var recorder = new FeedRecorder();
        using var subscription = Feed.Subscribe(JobTopic.Trace(trace.TraceId), new JobFeedBaseline([], id, stamp), recorder.OnUpdate);
        var looked = Feed.Checks;
        await Wait.UntilAsync(() => Task.FromResult(Feed.Checks >= looked + 2), TimeSpan.FromSeconds(30), "the feed has looked past its first look");

        await using (var other = TestApp.OpenDatabase(_pages.DatabasePath))
        {
            other.Add(new MetricSet { TraceId = trace.TraceId, OutcomeId = trace.OutcomeId, Source = MetricSource.Computed, ComputedAt = DateTimeOffset.UtcNow });
            await other.SaveChangesAsync();
        }

        await recorder.UntilAsync(r => r.Updates.Any(u => u.ResultsStored), "the recomputed metrics are reported");
    }

    [Fact]
    public async Task TheFeedReadsTheDatabaseOnlyWhileSomeoneSubscribes()
    {
        var feed = Feed;
        Assert.False(feed.IsWatching);
        var recorder = new FeedRecorder();

        var subscription = feed.Subscribe(JobTopic.All, new JobFeedBaseline([], 0), recorder.OnUpdate);
        await Wait.UntilAsync(() => Task.FromResult(feed.Checks >= 3), TimeSpan.FromSeconds(10), "the feed looks every interval");
        subscription.Dispose();
        await Wait.UntilAsync(() => Task.FromResult(!feed.IsWatching), TimeSpan.FromSeconds(10), "the feed stops once nobody subscribes");
        var checks = feed.Checks;
        feed.Notify();
        await Task.Yield();

        Assert.False(feed.IsWatching);
        Assert.Equal(checks, feed.Checks);
        using var again = feed.Subscribe(JobTopic.All, new JobFeedBaseline([], 0), recorder.OnUpdate);
        await Wait.UntilAsync(() => Task.FromResult(feed.Checks > checks), TimeSpan.FromSeconds(10), "a new subscriber starts it again");
    }

    [Fact]
    public async Task AJobRunByAnotherInstanceOnTheSameSqliteFileIsFollowedUntilItFinishes()
    {
        await using var server = await LoopbackOpenAIServer.StartAsync();
        using var worker = JobTestHost.Create(server, _pages.DirectoryPath, concurrency: 1);
        await AnotherInstanceScenario.RunAsync(_pages, worker, server);
    }
}

/// <summary>Two instances on one PostgreSQL database: the one showing pages follows the job the other one runs.</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class JobProgressFeedPostgresTests(PostgresServer postgres)
{
    [Fact]
    public async Task AJobRunByAnotherInstanceOnTheSameDatabaseIsFollowedUntilItFinishes()
    {
        var connection = postgres.NewDatabaseConnectionString();
        await using var server = await LoopbackOpenAIServer.StartAsync();
        using var pages = new TestApp().WithPostgres(connection)
            .WithSetting("Jobs:WorkerEnabled", "false").WithSetting("Jobs:ProgressInterval", "00:00:00.100");
        using var worker = JobTestHost.Create(server, concurrency: 1).WithPostgres(connection);

        await AnotherInstanceScenario.RunAsync(pages, worker, server);
    }
}

internal static class AnotherInstanceScenario
{
    /// <summary>
    /// <paramref name="pages"/> runs no worker and only subscribes; <paramref name="worker"/> starts and runs a job. The
    /// subscribers of the first hear of the new job, its progress, its end and the trace's stored results, with nothing
    /// but the shared database between the two.
    /// </summary>
    public static async Task RunAsync(TestApp pages, TestApp worker, LoopbackOpenAIServer server)
    {
        server.Latency = TimeSpan.FromMilliseconds(40);
        server.Completion = JobTestHost.Script;
        var client = worker.CreateClient();
        var trace = await JobTestHost.SeedAsync(worker);
        var feed = pages.Services.GetRequiredService<JobProgressFeed>();
        var all = new FeedRecorder();
        var onTrace = new FeedRecorder();
        int latest, resamples;
        await using (var scope = pages.Services.CreateAsyncScope())
        {
            var view = await scope.ServiceProvider.GetRequiredService<JobPageQueries>().ForTraceAsync(trace.TraceId, CancellationToken.None);
            (latest, resamples) = (view.LatestJobId, view.ResampleCount);
            using var allSubscription = feed.Subscribe(JobTopic.All, new JobFeedBaseline([], latest), all.OnUpdate);
            using var traceSubscription = feed.Subscribe(JobTopic.Trace(trace.TraceId), new JobFeedBaseline(view.Jobs, latest, view.Results), onTrace.OnUpdate);

            var id = await JobTestHost.StartAsync(client, new { kind = "resample", traceId = trace.TraceId, n = 3, provider = "loop" });

            await all.UntilAsync(r => r.Updates.Any(u => u.NewJobs && u.Jobs.Any(j => j.Id == id)), "the new job is announced");
            await all.UntilAsync(r => r.Jobs.Any(j => j.Id == id && j.Done > 0 && j.Done < j.Total), "progress part way is pushed");
            await all.UntilAsync(r => r.Jobs.Any(j => j.Id == id && j.Status == nameof(JobStatus.Completed)), "the finished job is pushed");
            await onTrace.UntilAsync(r => r.Updates.Any(u => u.ResultsStored), "the trace's stored results are reported");

            var done = all.Jobs.Where(j => j.Id == id).Select(j => j.Done).ToList();
            Assert.Equal(done.Order(), done);
            Assert.Equal(JobTestHost.Sentences.Count * 3, all.Jobs.Last(j => j.Id == id).Done);
            Assert.True(all.Jobs.Last(j => j.Id == id).PromptTokens > 0);
        }

        await using var db = pages.CreateDbContext();
        Assert.Equal(resamples + (JobTestHost.Sentences.Count * 3), await db.Set<TraceViewer.Traces.Trace>().Where(t => t.Id == trace.TraceId).Select(t => t.ResampleCount).SingleAsync());
    }
}
