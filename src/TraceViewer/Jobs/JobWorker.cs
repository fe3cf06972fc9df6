using Microsoft.Extensions.Options;
using TraceViewer.Data;

namespace TraceViewer.Jobs;

/// <summary>
/// Runs jobs from the database, with its parts: the <see cref="JobScheduler"/> claims items under a lease in this
/// instance's name (any number of workers on one database never hold the same item) and the <see cref="JobItemRunner"/>
/// runs each inside its own DI scope within its provider's limits; the <see cref="JobLeaseRenewer"/> renews the leases
/// while they run; the <see cref="JobResultWriter"/> stores results in batches, each with its idempotency key, and
/// <see cref="JobCompletion"/> finishes jobs; the <see cref="TraceRecomputeQueue"/> recomputes a trace's metrics once
/// every item of a position is finished. Items of a worker that stopped cleanly go back to the queue; those of one that
/// was killed are claimed again by any worker once their leases run out (<see cref="JobLeases"/>).
/// </summary>
internal sealed partial class JobWorker(
    IServiceScopeFactory scopes,
    JobScheduler scheduler,
    JobResultWriter writer,
    JobLeaseRenewer renewer,
    TraceRecomputeQueue recompute,
    JobWorkerLoad load,
    InstalledJobKinds kinds,
    JobSignal signal,
    DatabaseAccess access,
    JobWorkerHeartbeat heartbeat,
    JobInstance instance,
    IOptions<JobsOptions> options,
    ILogger<JobWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WorkerEnabled)
        {
            heartbeat.Off($"the worker is turned off ({JobsOptions.Section}:{nameof(JobsOptions.WorkerEnabled)} is false)");
            return;
        }

        if (access.IsReadOnly)
        {
            heartbeat.Off($"the database is open read-only ({access.ReadOnlyReason})");
            LogReadOnly(access.ReadOnlyReason!);
            return;
        }

        await Task.Yield();
        // Microsoft.Data.Sqlite runs its async methods synchronously, so database work holds pool threads; on a small
        // machine the pool would add threads slowly and the continuations of model requests would queue behind it.
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        if (minWorkers < 16)
        {
            ThreadPool.SetMinThreads(16, minIo);
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            kinds.Load(scope.ServiceProvider);
        }

        // Items left running by an earlier process are not taken back here: they may be another live instance's. Their
        // leases run out unless renewed, and then any worker claims them.
        LogStarted(instance.Id, options.Value.Lease.TotalSeconds);
        var writing = Task.Run(() => writer.RunAsync(stoppingToken), CancellationToken.None);
        var recomputing = Task.Run(() => recompute.RunAsync(stoppingToken), CancellationToken.None);
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewal = Task.Run(() => renewer.RunAsync(renewing.Token), CancellationToken.None);
        try
        {
            var failures = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                heartbeat.Beat();
                int started;
                try
                {
                    started = writer.Holding ? 0 : await scheduler.ScheduleAsync(stoppingToken);
                    failures = 0;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A failing disk or database (or a bug) must not stop the host: wait, then try again.
                    var delay = JobFailures.StorageDelay(options.Value, ++failures);
                    if (StorageFaults.Describe(e) is { } reason)
                    {
                        access.ReportWriteFailure(reason);
                        LogScheduleStorageFault(reason, delay.TotalMilliseconds);
                    }
                    else
                    {
                        LogScheduleFailed(e, delay.TotalMilliseconds);
                    }

                    await Task.Delay(delay, stoppingToken);
                    continue;
                }

                await signal.WaitAsync(started > 0 ? TimeSpan.FromMilliseconds(50) : options.Value.PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: items in flight see the same token.
        }
        finally
        {
            heartbeat.Stopped();
            // Results that arrived before the stop are written and interrupted items go back to the queue; leases are
            // renewed until then. Results that cannot be stored leave their items to their leases.
            await load.AllEndedAsync();
            writer.Complete();
            await writing;
            await renewing.CancelAsync();
            await renewal;
            recompute.Complete();
            await recomputing;
        }
    }

    public override void Dispose()
    {
        writer.Complete();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs do not run: the database is open read-only ({Reason})")]
    private partial void LogReadOnly(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Jobs worker started as instance {Instance}; its claims hold for {LeaseSeconds} s unless renewed")]
    private partial void LogStarted(string instance, double leaseSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Jobs worker: the database cannot be written ({Reason}); trying again in {DelayMs} ms")]
    private partial void LogScheduleStorageFault(string reason, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Jobs worker: scheduling failed; trying again in {DelayMs} ms")]
    private partial void LogScheduleFailed(Exception exception, double delayMs);
}
