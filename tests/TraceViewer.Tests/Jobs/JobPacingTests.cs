using TraceViewer.Jobs;

namespace TraceViewer.Tests.Jobs;

public sealed class JobPacingTests
{
    [Theory]
    [InlineData(0, 8, 32)]
    [InlineData(7, 8, 25)]
    [InlineData(8, 8, 24)]
    [InlineData(24, 8, 8)]
    [InlineData(25, 8, 0)]
    [InlineData(32, 8, 0)]
    [InlineData(40, 8, 0)]
    [InlineData(3, 1, 1)]
    [InlineData(4, 1, 0)]
    public void ClaimsUpToFourConcurrenciesAheadInBlocksWhileBusy(int inflight, int concurrency, int expected) =>
        Assert.Equal(expected, JobPacing.ClaimCount(inflight, concurrency));

    [Theory]
    [InlineData(30, 0, 8, true)]
    [InlineData(24, 5, 8, true)]
    [InlineData(8, 5, 8, true)]
    [InlineData(0, 5, 8, true)]
    [InlineData(23, 5, 8, false)]
    [InlineData(9, 5, 8, false)]
    public void AFinishedItemWakesTheSchedulerOnlyAtThePacingMarks(int providerLeft, int jobLeft, int concurrency, bool wakes) =>
        Assert.Equal(wakes, JobPacing.WakesScheduler(providerLeft, jobLeft, concurrency));
}
