using TraceViewer.Jobs;
using TraceViewer.Tests.Data;

namespace TraceViewer.Tests.Jobs;

/// <summary>
/// Two app processes on one PostgreSQL database work one job of 200 items against the loopback server, with no
/// setting changed for sharing: each item is stored exactly once and both instances claim some; one instance killed
/// with SIGKILL mid-job leaves its items to the other, which takes them once their leases run out.
/// </summary>
[Collection(PostgresServerGroup.Name)]
public sealed class SharedPostgresJobTests(PostgresServer postgres) : IAsyncLifetime
{
    private const int Positions = 5, PerPosition = 40, Total = Positions * PerPosition;
    private LoopbackOpenAIServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackOpenAIServer.StartAsync();
        _server.Completion = JobTestHost.Script;
        _server.RecordBodies = false;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static readonly TimeSpan Finish = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task TwoInstancesShareOneJobAndStoreEveryItemExactlyOnce()
    {
        _server.Latency = TimeSpan.FromMilliseconds(50);
        await using var shared = await SharedDatabaseInstances.CreateAsync(postgres, _server);
        // A lease long enough that nothing is claimed twice on a busy machine: every request is made once.
        var a = shared.Start(TimeSpan.FromSeconds(30));
        var b = shared.Start(TimeSpan.FromSeconds(30));
        await Task.WhenAll(a.WaitUntilListeningAsync(), b.WaitUntilListeningAsync());
        var (instanceA, instanceB) = (await SharedDatabaseInstances.InstanceAsync(a), await SharedDatabaseInstances.InstanceAsync(b));

        var id = await JobTestHost.StartAsync(a.Client, new { traceId = shared.TraceId, positions = new { from = 0, to = Positions - 1 }, n = PerPosition, provider = "loop" });
        var status = await JobTestHost.WaitFinishedAsync(b.Client, id, (int)Finish.TotalSeconds);

        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(Total, status.GetProperty("done").GetInt32());
        await shared.AssertEveryItemStoredOnceAsync(id, Total);
        Assert.Equal(Total, _server.Answered);
        var items = await shared.ItemsAsync(id);
        var byInstance = items.GroupBy(i => i.LeaseOwner ?? "(none)").ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new[] { instanceA, instanceB }.Order(StringComparer.Ordinal), byInstance.Keys.Order(StringComparer.Ordinal));
        Assert.All(byInstance.Values, count => Assert.InRange(count, 1, Total - 1));
        Assert.All(items, i => Assert.Equal(1, i.Attempts));
        Assert.DoesNotContain(a.Lines.Concat(b.Lines), l => l.Contains("changed hands", StringComparison.Ordinal) || l.Contains("fail: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnInstanceKilledMidJobLeavesItsItemsToTheOtherOnceTheirLeasesRunOut()
    {
        // Slower answers: the job lasts a few seconds, so the kill lands in its middle even on a busy machine.
        _server.Latency = TimeSpan.FromMilliseconds(100);
        await using var shared = await SharedDatabaseInstances.CreateAsync(postgres, _server);
        var lease = TimeSpan.FromSeconds(2);
        var a = shared.Start(lease);
        var b = shared.Start(lease);
        await Task.WhenAll(a.WaitUntilListeningAsync(), b.WaitUntilListeningAsync());
        var (instanceA, instanceB) = (await SharedDatabaseInstances.InstanceAsync(a), await SharedDatabaseInstances.InstanceAsync(b));
        var id = await JobTestHost.StartAsync(b.Client, new { traceId = shared.TraceId, positions = new { from = 0, to = Positions - 1 }, n = PerPosition, provider = "loop" });

        // Killed while it holds items, with the job well under way.
        await Wait.UntilAsync(async () =>
        {
            var items = await shared.ItemsAsync(id);
            return items.Any(i => i.Status == JobItemStatus.Running && i.LeaseOwner == instanceA) && items.Count(i => i.Status == JobItemStatus.Done) >= 40;
        }, Finish, "instance A to hold items part way through the job");
        a.Kill();
        var leftBehind = (await shared.ItemsAsync(id)).Where(i => i.Status == JobItemStatus.Running && i.LeaseOwner == instanceA).ToList();
        var status = await JobTestHost.WaitFinishedAsync(b.Client, id, (int)Finish.TotalSeconds);

        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(Total, status.GetProperty("done").GetInt32());
        await shared.AssertEveryItemStoredOnceAsync(id, Total);
        Assert.NotEmpty(leftBehind);
        var items = (await shared.ItemsAsync(id)).ToDictionary(i => i.Id);
        foreach (var item in leftBehind)
        {
            // Claimed again by B only after A's lease had run out: a second attempt, finished after the lease's end.
            Assert.Equal(instanceB, items[item.Id].LeaseOwner);
            Assert.Equal(item.Attempts + 1, items[item.Id].Attempts);
            Assert.True(items[item.Id].FinishedAt >= item.LeaseUntil, $"item {item.Id} finished at {items[item.Id].FinishedAt:O}, before its lease ended at {item.LeaseUntil:O}");
        }
    }
}
