using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Jobs;

namespace TraceViewer.Tests.Jobs;

/// <summary>The worker's parts on a real SQLite database, driven by hand with the worker turned off.</summary>
public sealed class JobResultWriterTests : IAsyncLifetime
{
    private LoopbackOpenAIServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackOpenAIServer.StartAsync();
        _server.Completion = JobTestHost.Script;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ClaimedItemsRunAndTheirResultsCompleteTheJobWithCostAndQueueTheTrace()
    {
        await using var app = JobTestHost.Create(_server).WithSetting("Jobs:WorkerEnabled", "false");
        var trace = await JobTestHost.SeedAsync(app);
        var jobId = await JobTestHost.StartAsync(app.CreateClient(), new { traceId = trace.TraceId, positions = new { from = 1, to = 1 }, n = 2, provider = "loop" });
        var services = app.Services;
        using (var scope = services.CreateScope())
        {
            services.GetRequiredService<InstalledJobKinds>().Load(scope.ServiceProvider);
        }

        var work = await ClaimAllAsync(app, jobId);
        var runner = services.GetRequiredService<JobItemRunner>();
        await services.GetRequiredService<RunningJobs>().SetAsync([jobId]);

        var outcomes = new List<JobItemOutcome>();
        foreach (var w in work)
        {
            outcomes.Add(await runner.RunAsync(w, CancellationToken.None));
        }

        await services.GetRequiredService<JobResultWriter>().WriteAsync(outcomes);

        Assert.All(outcomes, o => Assert.IsType<ItemDone>(o));
        var status = await JobTestHost.StatusAsync(app.CreateClient(), jobId);
        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(2, status.GetProperty("done").GetInt32());
        var tokens = outcomes.Cast<ItemDone>().Sum(d => d.Result.PromptTokens * 1.0 + d.Result.CompletionTokens * 2.0);
        Assert.Equal(tokens / 1e6, status.GetProperty("cost").GetDouble(), 9);
        Assert.Equal(2, (await JobTestHost.ResamplesAsync(app, trace.TraceId)).Count);
        Assert.All(await JobTestHost.ItemsAsync(app, jobId), i => Assert.Equal((JobItemStatus.Done, (Guid?)null), (i.Status, i.ClaimToken)));
        // The position finished: its trace waits for a recompute, once.
        Assert.False(services.GetRequiredService<TraceRecomputeQueue>().Enqueue(trace.TraceId));
    }

    [Fact]
    public async Task AResultWhoseClaimWasTakenOverIsDroppedAndAReleasedItemGoesBackUntried()
    {
        await using var app = JobTestHost.Create(_server).WithSetting("Jobs:WorkerEnabled", "false");
        var trace = await JobTestHost.SeedAsync(app);
        var jobId = await JobTestHost.StartAsync(app.CreateClient(), new { traceId = trace.TraceId, positions = new { from = 1, to = 1 }, n = 2, provider = "loop" });
        var services = app.Services;
        var work = await ClaimAllAsync(app, jobId);
        await services.GetRequiredService<RunningJobs>().SetAsync([jobId]);
        var done = await services.GetRequiredService<JobItemRunner>().RunAsync(work[0], CancellationToken.None);
        await using (var db = app.CreateDbContext())
        {
            var newer = Guid.NewGuid();
            await db.Set<JobItem>().Where(i => i.Id == work[0].ItemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.ClaimToken, newer));
        }

        await services.GetRequiredService<JobResultWriter>().WriteAsync([done, new ItemReleased(work[1])]);

        Assert.Empty(await JobTestHost.ResamplesAsync(app, trace.TraceId));
        var items = (await JobTestHost.ItemsAsync(app, jobId)).OrderBy(i => i.Id).ToList();
        Assert.Equal(JobItemStatus.Running, items[0].Status);
        Assert.Equal((JobItemStatus.Pending, 0, (string?)null), (items[1].Status, items[1].Attempts, items[1].LeaseOwner));
    }

    [Fact]
    public async Task AnItemOfAJobThatStoppedRunningIsReleasedUnstarted()
    {
        await using var app = JobTestHost.Create(_server).WithSetting("Jobs:WorkerEnabled", "false");
        var trace = await JobTestHost.SeedAsync(app);
        var jobId = await JobTestHost.StartAsync(app.CreateClient(), new { traceId = trace.TraceId, positions = new { from = 1, to = 1 }, n = 1, provider = "loop" });
        var work = await ClaimAllAsync(app, jobId);
        await app.Services.GetRequiredService<RunningJobs>().SetAsync([]);

        var outcome = await app.Services.GetRequiredService<JobItemRunner>().RunAsync(work[0], CancellationToken.None);

        Assert.IsType<ItemReleased>(outcome);
        Assert.Equal(0, _server.Requests);
    }

    private static async Task<List<JobWork>> ClaimAllAsync(TestApp app, int jobId)
    {
        await using var db = app.CreateDbContext();
        await db.Set<Job>().Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Running));
        var parameters = JobParameters.FromJson(await db.Set<Job>().Where(j => j.Id == jobId).Select(j => j.Parameters).SingleAsync());
        var snapshot = new JobSnapshot(jobId, JobKind.Resample, "loop", "model-x", parameters);
        var token = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        using var turn = new JobWriteTurn();
        var items = await JobClaims.ClaimAsync(db, jobId, 100, [], now, now.AddMinutes(5), "test", token, turn.TakeAsync, CancellationToken.None);
        return [.. items.Select(i => new JobWork(snapshot, i.Id, i.TraceId ?? 0, i.Position, i.SampleIndex, i.Attempts, i.Key) { ClaimToken = token })];
    }
}
