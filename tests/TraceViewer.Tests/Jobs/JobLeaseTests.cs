using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.Jobs;
using TraceViewer.Tests.Data;

namespace TraceViewer.Tests.Jobs;

/// <summary>The lease rules on their own: what may be claimed, when leases are renewed, what an instance is called.</summary>
public sealed class JobLeaseRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static TheoryData<string, int?, int?, bool> Items => new()
    {
        // status, next attempt (s from now), lease until (s from now), claimable
        { "Pending", null, null, true },
        { "Pending", 0, null, true },
        { "Pending", -5, null, true },
        { "Pending", 1, null, false },
        { "Running", null, 30, false },
        { "Running", null, 0, false },
        { "Running", null, -1, true },
        { "Running", null, null, true },
        { "Running", 60, -1, true },
        { "Done", null, null, false },
        { "Done", null, -60, false },
        { "Failed", null, -60, false },
    };

    [Theory]
    [MemberData(nameof(Items))]
    public void PendingItemsAreClaimableWhenDueAndRunningOnesOnlyOnceTheirLeaseHasRunOut(string status, int? nextAttempt, int? leaseUntil, bool claimable)
    {
        var item = new JobItem
        {
            Status = Enum.Parse<JobItemStatus>(status),
            NextAttemptAt = nextAttempt is { } next ? Now.AddSeconds(next) : null,
            LeaseUntil = leaseUntil is { } lease ? Now.AddSeconds(lease) : null,
        };

        Assert.Equal(claimable, JobLeases.Claimable(Now).Compile()(item));
    }

    [Fact]
    public void LeasesAreRenewedThreeTimesPerLease()
    {
        var lease = TimeSpan.FromMinutes(1);

        Assert.Equal(TimeSpan.FromSeconds(20), JobLeases.RenewEvery(lease));
        Assert.False(JobLeases.RenewalDue(Now, Now.AddSeconds(19.9), lease));
        Assert.True(JobLeases.RenewalDue(Now, Now.AddSeconds(20), lease));
        Assert.Equal(Now.AddMinutes(1), JobLeases.Until(Now, lease));
    }

    [Theory]
    [InlineData(60_000, 1_000, 1_000)]
    [InlineData(2_000, 1_000, 166)]
    [InlineData(2_000, 50, 50)]
    [InlineData(1_000, 1, 10)]
    public void TheRenewalLoopLooksOftenEnoughToRenewOnTime(int leaseMs, int pollMs, int expectedMs)
    {
        var tick = JobLeases.RenewalTick(TimeSpan.FromMilliseconds(leaseMs), TimeSpan.FromMilliseconds(pollMs));

        Assert.Equal(expectedMs, (int)tick.TotalMilliseconds);
    }

    [Fact]
    public void TwoProcessesWithTheSameHostAndProcessIdAreDifferentInstances()
    {
        var first = new JobInstance("web-1", 1);
        var second = new JobInstance("web-1", 1);

        Assert.NotEqual(first.Id, second.Id);
        Assert.StartsWith("web-1/1/", first.Id, StringComparison.Ordinal);
        Assert.InRange(new JobInstance(new string('h', 300), int.MaxValue).Id.Length, 1, JobInstance.MaxIdLength);
    }
}

/// <summary>The worker follows the lease rules on a real SQLite file, with the app's clock moved by hand.</summary>
public sealed class JobLeaseWorkerTests : IAsyncLifetime
{
    private const string OtherInstance = "other-host/7/0000abcd";
    private LoopbackOpenAIServer _server = null!;
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _server = await LoopbackOpenAIServer.StartAsync();
        _server.Completion = JobTestHost.Script;
    }

    public async Task DisposeAsync()
    {
        _open.TrySetResult();
        await _server.DisposeAsync();
    }

    /// <summary>The app on the manual clock (leases follow it), with the loopback provider.</summary>
    private TestApp App(string directory) => new TestApp(directory)
        .WithSetting("Providers:loop:BaseUrl", _server.BaseUrl)
        .WithSetting("Providers:loop:Models:0", "model-x")
        .WithSetting("Providers:loop:PrefillFlag", "prefix")
        .WithSetting("Providers:loop:MaxConcurrentRequests", "4")
        .WithSetting("Jobs:RequestTimeout", "00:05:00")
        .WithSetting("Jobs:PollInterval", "00:00:00.050")
        .WithSetting("Jobs:Lease", "00:01:00");

    [Fact]
    public async Task AnItemUnderAnotherInstancesLiveLeaseIsLeftAloneAtStartAndTakenOnceTheLeaseRunsOut()
    {
        var directory = Directory.CreateTempSubdirectory("traceviewer-lease-").FullName;
        int traceId, jobId;
        long leasedId;
        await using (var seeding = App(directory).WithSetting("Jobs:WorkerEnabled", "false"))
        {
            traceId = (await JobTestHost.SeedAsync(seeding)).TraceId;
            jobId = await JobSeeder.AddJobAsync(seeding, traceId, JobStatus.Running, [JobItemStatus.Pending, JobItemStatus.Pending], [JobItemStatus.Pending, JobItemStatus.Running]);
            await using var db = seeding.CreateDbContext();
            var leased = await db.Set<JobItem>().SingleAsync(i => i.JobId == jobId && i.Status == JobItemStatus.Running);
            leasedId = leased.Id;
            // As a live instance leaves it: claimed a moment ago, for a minute.
            leased.LeaseOwner = OtherInstance;
            leased.LeaseUntil = seeding.Clock.GetUtcNow().AddSeconds(50);
            leased.ClaimToken = Guid.NewGuid();
            await db.SaveChangesAsync();
        }

        await using var app = App(directory);
        var instance = app.Services.GetRequiredService<JobInstance>().Id;
        await Wait.UntilAsync(async () => (await JobTestHost.ItemsAsync(app, jobId)).Count(i => i.Status == JobItemStatus.Done) == 3, TimeSpan.FromSeconds(30), "the three free items to be done");
        var before = Assert.Single(await JobTestHost.ItemsAsync(app, jobId), i => i.Id == leasedId);

        app.Clock.Advance(TimeSpan.FromSeconds(51));
        var status = await JobTestHost.WaitFinishedAsync(app.CreateClient(), jobId);

        Assert.Equal((JobItemStatus.Running, OtherInstance, 1), (before.Status, before.LeaseOwner, before.Attempts));
        Assert.Equal(4, status.GetProperty("done").GetInt32());
        var after = Assert.Single(await JobTestHost.ItemsAsync(app, jobId), i => i.Id == leasedId);
        Assert.Equal((JobItemStatus.Done, instance, 2), (after.Status, after.LeaseOwner, after.Attempts));
        Assert.Equal(4, _server.Answered);
        Assert.Equal(4, (await JobTestHost.ResamplesAsync(app, traceId)).Count);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task TheWorkerRenewsTheLeasesOfItemsItHoldsSoNoOtherInstanceCanClaimThem()
    {
        _server.Gate = _open.Task;
        await using var app = App(Directory.CreateTempSubdirectory("traceviewer-lease-").FullName);
        var traceId = (await JobTestHost.SeedAsync(app)).TraceId;
        var instance = app.Services.GetRequiredService<JobInstance>().Id;
        var client = app.CreateClient();
        var start = app.Clock.GetUtcNow();
        var jobId = await JobTestHost.StartAsync(client, new { traceId, positions = new { from = 0, to = 1 }, n = 1, provider = "loop" });
        await Wait.UntilAsync(() => _server.Requests == 2, TimeSpan.FromSeconds(30), "both items to be sent");
        var claimed = await JobTestHost.ItemsAsync(app, jobId);

        // Past a third of the lease: renewed to a minute from the new now.
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(async () => (await JobTestHost.ItemsAsync(app, jobId)).All(i => i.LeaseUntil == start.AddSeconds(90)), TimeSpan.FromSeconds(30), "the leases to be renewed");
        // Past the first lease's end: renewed again, and another instance finds nothing to claim.
        app.Clock.Advance(TimeSpan.FromSeconds(45));
        await Wait.UntilAsync(async () => (await JobTestHost.ItemsAsync(app, jobId)).All(i => i.LeaseUntil == start.AddSeconds(135)), TimeSpan.FromSeconds(30), "the leases to be renewed again");
        List<ClaimedItem> stolen;
        await using (var other = app.CreateDbContext())
        {
            var now = app.Clock.GetUtcNow();
            stolen = await JobClaims.ClaimAsync(other, jobId, 10, [], now, now.AddMinutes(1), OtherInstance, Guid.NewGuid(), NoTurn, CancellationToken.None);
        }

        _open.SetResult();
        var status = await JobTestHost.WaitFinishedAsync(client, jobId);

        Assert.All(claimed, i => Assert.Equal((JobItemStatus.Running, instance, start.AddSeconds(60)), (i.Status, i.LeaseOwner, i.LeaseUntil)));
        Assert.Empty(stolen);
        Assert.Equal(2, status.GetProperty("done").GetInt32());
        Assert.All(await JobTestHost.ItemsAsync(app, jobId), i => Assert.Equal((JobItemStatus.Done, instance, 1, (DateTimeOffset?)null), (i.Status, i.LeaseOwner, i.Attempts, i.LeaseUntil)));
        Assert.Equal(2, _server.Requests);
    }

    [Fact]
    public async Task AWorkerStoppedCleanlyPutsTheItemsItHeldBackInTheQueueAtOnce()
    {
        _server.Gate = _open.Task;
        var directory = Directory.CreateTempSubdirectory("traceviewer-lease-").FullName;
        int jobId;
        await using (var app = App(directory))
        {
            var traceId = (await JobTestHost.SeedAsync(app)).TraceId;
            jobId = await JobTestHost.StartAsync(app.CreateClient(), new { traceId, positions = new { from = 0, to = 2 }, n = 2, provider = "loop" });
            // Four at the provider, two waiting at its gate: all six claimed.
            await Wait.UntilAsync(() => _server.Requests == 4, TimeSpan.FromSeconds(30), "four items to be sent");
            Assert.Equal(6, (await JobTestHost.ItemsAsync(app, jobId)).Count(i => i.Status == JobItemStatus.Running));
        }

        await using var db = TestApp.OpenDatabase(Path.Combine(directory, "test.db"));
        var items = await db.Set<JobItem>().AsNoTracking().Where(i => i.JobId == jobId).ToListAsync();
        Assert.Equal(6, items.Count);
        Assert.All(items, i => Assert.Equal((JobItemStatus.Pending, 0, null, null, null), (i.Status, i.Attempts, i.LeaseOwner, i.LeaseUntil, i.ClaimToken)));
        Directory.Delete(directory, recursive: true);
    }

    private static Task<IDisposable> NoTurn(CancellationToken ct) => Task.FromResult<IDisposable>(new MemoryStream());
}

/// <summary>Many claimers at once on one database: every item is won by exactly one of them.</summary>
public abstract class ConcurrentClaimsTests
{
    protected abstract TestApp CreateApp();

    [Fact]
    public async Task ClaimersRacingForOneJobEachWinDifferentItemsAndTogetherAll()
    {
        await using var app = CreateApp().WithSetting("Jobs:WorkerEnabled", "false");
        var trace = await TraceSeeder.SeedAsync(app, new TraceSeed { DatasetKey = "claims/race" });
        var jobId = await JobSeeder.AddJobAsync(app, trace.TraceId, JobStatus.Running, [.. Enumerable.Range(0, 4).Select(_ => Enumerable.Repeat(JobItemStatus.Pending, 50).ToArray())]);
        var now = app.Clock.GetUtcNow();

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(claimer => Task.Run(async () =>
        {
            var won = new List<long>();
            while (true)
            {
                await using var scope = app.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
                var items = await JobClaims.ClaimAsync(db, jobId, 7, [], now, now.AddMinutes(1), $"claimer-{claimer}", Guid.NewGuid(), NoTurn, CancellationToken.None);
                if (items.Count == 0)
                {
                    return (claimer, won);
                }

                Assert.InRange(items.Count, 1, 7);
                won.AddRange(items.Select(i => i.Id));
            }
        })));

        var all = claims.SelectMany(c => c.won).ToList();
        Assert.Equal(200, all.Count);
        Assert.Equal(200, all.Distinct().Count());
        await using var check = app.CreateDbContext();
        var owners = await check.Set<JobItem>().Where(i => i.JobId == jobId).ToDictionaryAsync(i => i.Id, i => (i.LeaseOwner, i.Attempts, i.Status));
        foreach (var (claimer, won) in claims)
        {
            // Seeded with one attempt each: claimed once more, by the claimer that won it.
            Assert.All(won, id => Assert.Equal(($"claimer-{claimer}", 2, JobItemStatus.Running), owners[id]));
        }
    }

    private static Task<IDisposable> NoTurn(CancellationToken ct) => Task.FromResult<IDisposable>(new MemoryStream());
}

public sealed class SqliteConcurrentClaimsTests : ConcurrentClaimsTests
{
    protected override TestApp CreateApp() => new();
}

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresConcurrentClaimsTests(PostgresServer postgres) : ConcurrentClaimsTests
{
    protected override TestApp CreateApp() => new TestApp()
        .WithPostgres(postgres);
}
