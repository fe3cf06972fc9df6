using System.Diagnostics;
using Microsoft.Extensions.Options;
using TraceViewer.Providers;
using TraceViewer.Telemetry;

namespace TraceViewer.Jobs;

/// <summary>
/// Runs claimed items: each inside its own DI scope with its kind's handler, whose provider calls wait at the provider's
/// gate. A failed attempt becomes a retry or a failure (<see cref="JobFailures"/>); an item whose job stopped running, or
/// whose host is stopping, goes back unstarted. Every outcome goes to the result writer.
/// </summary>
internal sealed partial class JobItemRunner(
    IServiceScopeFactory scopes,
    ProviderRegistry providers,
    ProviderGates gates,
    RunningJobs running,
    JobWorkerLoad load,
    JobResultWriter writer,
    JobSignal signal,
    IOptions<JobsOptions> options,
    TimeProvider clock,
    ILogger<JobItemRunner> logger)
{
    /// <summary>Starts the item in the background; its outcome goes to the writer, and its end may wake the scheduler.</summary>
    public void Start(JobWork work, CancellationToken ct) => load.Start(work, () => RunAndPostAsync(work, ct));

    private async Task RunAndPostAsync(JobWork work, CancellationToken ct)
    {
        try
        {
            await writer.PostAsync(await RunAsync(work, ct));
        }
        finally
        {
            var (left, jobLeft) = load.Ended(work);
            if (JobPacing.WakesScheduler(left, jobLeft, gates.For(work.Job.Provider).MaxConcurrent))
            {
                signal.Wake();
            }
        }
    }

    public const string SpanName = "job.item";

    /// <summary>Runs one item in a <c>job.item</c> span; never throws for the item's own failures: the outcome says what happened.</summary>
    public async Task<JobItemOutcome> RunAsync(JobWork work, CancellationToken ct)
    {
        // Each item is a trace of its own, whatever was current when it was claimed.
        // (An async method's change of Activity.Current does not reach its caller.)
        Activity.Current = null;
        using var activity = AppTelemetry.Source.StartActivity(SpanName);
        if (activity is not null)
        {
            activity.SetTag("job.id", work.Job.Id);
            activity.SetTag("job.kind", JobMetrics.KindName(work.Job.Kind));
            activity.SetTag("job.item.id", work.ItemId);
            activity.SetTag("job.item.attempt", work.Attempt);
            activity.SetTag("provider", work.Job.Provider);
            activity.SetTag("model", work.Job.Model);
        }

        var outcome = await RunItemAsync(work, ct);
        if (activity is not null)
        {
            activity.SetTag("outcome", outcome switch
            {
                ItemDone => "done",
                ItemRetry => "retry",
                ItemFailed => "failed",
                _ => "released",
            });
            if (outcome is ItemRetry or ItemFailed)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        return outcome;
    }

    private async Task<JobItemOutcome> RunItemAsync(JobWork work, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var stopped = running.StopTokenOf(work.Job.Id);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, stopped);
        try
        {
            // Pause and cancel take effect between items: a claimed item whose job stopped goes back unstarted.
            if (!running.IsRunning(work.Job.Id))
            {
                return new ItemReleased(work);
            }

            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredKeyedService<IJobItemHandler>(work.Job.Kind);
            var result = await handler.RunAsync(work, linked.Token);
            return new ItemDone(work, result, clock.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The host is stopping: the item goes back unstarted, for this or another instance to run.
            return new ItemReleased(work);
        }
        catch (OperationCanceledException) when (stopped.IsCancellationRequested)
        {
            // Paused or cancelled while waiting for the provider (or in flight, whose answer is abandoned): the item
            // goes back unstarted and runs again on resume.
            return new ItemReleased(work);
        }
        catch (Exception e)
        {
            var message = JobFailures.Message(e, providers.Exists(work.Job.Provider) ? providers.Get(work.Job.Provider).ResolveApiKey() : null);
            var now = clock.GetUtcNow();
            var outcome = JobFailures.After(work, e, message, options.Value, now, Random.Shared.NextDouble());
            if (outcome is ItemRetry retry)
            {
                LogItemRetry(work.Job.Id, work.ItemId, work.Attempt, (retry.NextAttemptAt - now).TotalMilliseconds, message);
            }
            else
            {
                LogItemFailed(work.Job.Id, work.ItemId, work.TraceId, work.Position, work.SampleIndex, work.Attempt, message);
            }

            return outcome;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} item {ItemId} attempt {Attempt} failed, retrying in {DelayMs} ms: {Error}")]
    private partial void LogItemRetry(int jobId, long itemId, int attempt, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} item {ItemId} failed for good (trace {TraceId}, position {Position}, sample {SampleIndex}, attempt {Attempt}): {Error}")]
    private partial void LogItemFailed(int jobId, long itemId, int traceId, int position, int sampleIndex, int attempt, string error);
}
