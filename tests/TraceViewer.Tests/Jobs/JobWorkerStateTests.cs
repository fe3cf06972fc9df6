using TraceViewer.Jobs;

namespace TraceViewer.Tests.Jobs;

public sealed class JobWorkerStateTests
{
    private static JobWork Work(long itemId, Guid token, int jobId = 1, string provider = "loop") =>
        new(new JobSnapshot(jobId, JobKind.Resample, provider, "m", new JobParameters()), itemId, 1, 1, 0, 1) { ClaimToken = token };

    [Fact]
    public void AnOutcomeForgetsItsItemOnlyUnderTheClaimItWasMadeUnder()
    {
        var held = new HeldClaims();
        Guid first = Guid.NewGuid(), second = Guid.NewGuid();
        held.Hold([1, 2], first);
        held.Hold([2], second);

        held.Forget(Work(1, first));
        held.Forget(Work(2, first));

        Assert.Equal([2L], held.Ids());
        held.Forget(Work(2, second));
        Assert.Empty(held.Ids());
    }

    [Fact]
    public async Task AJobThatStopsRunningCancelsItsStopToken()
    {
        var running = new RunningJobs();
        await running.SetAsync([1, 2]);
        var one = running.StopTokenOf(1);
        var two = running.StopTokenOf(2);

        await running.SetAsync([2]);

        Assert.True(one.IsCancellationRequested);
        Assert.False(two.IsCancellationRequested);
        Assert.False(running.IsRunning(1));
        Assert.True(running.IsRunning(2));
    }

    [Fact]
    public async Task TheLoadCountsItemsPerProviderAndJobUntilTheyEnd()
    {
        var load = new JobWorkerLoad();
        var release = new TaskCompletionSource();
        var work = Work(5, Guid.NewGuid(), jobId: 3, provider: "p");
        load.Claimed(3, 1);

        load.Start(work, () => release.Task);

        Assert.Equal(1, load.OfProvider("p"));
        Assert.True(load.HasInflight(3));
        release.SetResult();
        await load.AllEndedAsync();
        Assert.Equal((0, 0), load.Ended(work));
        Assert.False(load.HasInflight(3));
    }

    [Fact]
    public async Task WritesTakeTurns()
    {
        using var turn = new JobWriteTurn();
        var first = await turn.TakeAsync(CancellationToken.None);

        var second = turn.TakeAsync(CancellationToken.None);

        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second).Dispose();
    }
}
