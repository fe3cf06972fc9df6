using TraceViewer.Jobs;

namespace TraceViewer.Tests.Jobs;

public sealed class JobFailuresTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static readonly JobsOptions Options = new() { MaxAttempts = 3, BaseBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(60) };

    private static JobWork Work(int attempt) =>
        new(new JobSnapshot(7, JobKind.Resample, "loop", "model-x", new JobParameters()), 11, 1, 2, 0, attempt);

    [Fact]
    public void ARetryableModelErrorBeforeTheLastAttemptIsRetriedAfterItsBackoff()
    {
        var outcome = JobFailures.After(Work(2), new ModelCallException("429 too many", retryable: true), "429 too many", Options, Now, jitter: 0);

        var retry = Assert.IsType<ItemRetry>(outcome);
        Assert.Equal(Now + TimeSpan.FromSeconds(2), retry.NextAttemptAt);
        Assert.Equal("429 too many", retry.Error);
    }

    [Fact]
    public void AServersRetryAfterLongerThanTheBackoffIsHonoured()
    {
        var outcome = JobFailures.After(Work(1), new ModelCallException("busy", retryable: true, 503, TimeSpan.FromSeconds(30)), "busy", Options, Now, jitter: 0);

        Assert.Equal(Now + TimeSpan.FromSeconds(30), Assert.IsType<ItemRetry>(outcome).NextAttemptAt);
    }

    [Fact]
    public void TheLastAttemptAndNonRetryableErrorsFailForGood()
    {
        Assert.IsType<ItemFailed>(JobFailures.After(Work(3), new ModelCallException("busy", retryable: true), "busy", Options, Now, 0.5));
        Assert.IsType<ItemFailed>(JobFailures.After(Work(1), new ModelCallException("400 bad request", retryable: false), "400", Options, Now, 0.5));
    }

    [Fact]
    public void AnyOtherExceptionIsRetried() =>
        Assert.IsType<ItemRetry>(JobFailures.After(Work(1), new IOException("reset"), "IOException: reset", Options, Now, 0.5));

    [Fact]
    public void TheStoredMessageNamesTheExceptionHidesTheKeyAndIsCut()
    {
        Assert.Equal("InvalidOperationException: bad", JobFailures.Message(new InvalidOperationException("bad"), null));
        Assert.Equal("model said no", JobFailures.Message(new ModelCallException("model said no", retryable: false), null));
        Assert.DoesNotContain("sk-secret-123456", JobFailures.Message(new ModelCallException("key sk-secret-123456 refused", retryable: false), "sk-secret-123456"), StringComparison.Ordinal);
        Assert.Equal(JobFailures.MaxMessageLength, JobFailures.Message(new ModelCallException(new string('x', 5000), retryable: false), null).Length);
    }

    [Fact]
    public void CostIsPricedPerMillionTokensAndZeroWithoutPrices()
    {
        Assert.Equal(0.0025, JobCost.Dollars(1m, 2m, 500, 1000), 12);
        Assert.Equal(0, JobCost.Dollars(null, null, 500, 1000));
    }
}
