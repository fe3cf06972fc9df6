using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Data;
using TraceViewer.Providers;

namespace TraceViewer.Jobs;

/// <summary>
/// One scheduling pass: starts queued jobs, fails jobs this installation cannot run, claims items of running jobs under
/// a lease in this instance's name (<see cref="JobClaims"/>) and hands them to the runner, and finishes jobs with nothing
/// left to do.
/// </summary>
internal sealed partial class JobScheduler(
    IServiceScopeFactory scopes,
    ProviderRegistry providers,
    ProviderGates gates,
    DatabaseAccess access,
    JobProgressFeed feed,
    JobInstance instance,
    InstalledJobKinds kinds,
    RunningJobs running,
    JobSnapshots snapshots,
    HeldClaims held,
    JobWorkerLoad load,
    JobWriteTurn turn,
    JobItemRunner runner,
    JobCompletion completion,
    JobMetrics metrics,
    IOptions<JobsOptions> options,
    TimeProvider clock,
    ILogger<JobScheduler> logger)
{
    /// <summary>
    /// Starts queued jobs, then claims work for running ones up to <see cref="JobPacing.Ahead"/> times each provider's
    /// concurrency (<see cref="JobPacing.ClaimCount"/>). Returns the number of items started.
    /// </summary>
    public async Task<int> ScheduleAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        await JobWriteTurn.RelaxSyncAsync(db, ct);
        await metrics.CountQueueIfDueAsync(db, ct);
        var now = clock.GetUtcNow();
        if (await db.Set<Job>().AnyAsync(j => j.Status == JobStatus.Queued, ct))
        {
            using (await turn.TakeAsync(ct))
            {
                await db.Set<Job>().Where(j => j.Status == JobStatus.Queued)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Running).SetProperty(j => j.StartedAt, j => j.StartedAt ?? now), ct);
            }

            feed.Notify();
        }

        var jobs = await db.Set<Job>().AsNoTracking().Where(j => j.Status == JobStatus.Running).OrderBy(j => j.Id)
            .Select(j => new { j.Id, j.Kind, j.Provider, j.Model, j.Parameters })
            .ToListAsync(ct);
        await running.SetAsync(jobs.Select(j => j.Id));

        var started = 0;
        foreach (var job in jobs)
        {
            if (!kinds.IsInstalled(job.Kind) || !providers.Exists(job.Provider))
            {
                var error = !kinds.IsInstalled(job.Kind)
                    ? $"Jobs of kind {job.Kind} are not available in this installation."
                    : $"Provider '{job.Provider}' is no longer configured.";
                await db.Set<Job>().Where(j => j.Id == job.Id && j.Status == JobStatus.Running).ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, JobStatus.Failed).SetProperty(j => j.LastError, error).SetProperty(j => j.FinishedAt, now), ct);
                feed.Notify();
                continue;
            }

            var snapshot = snapshots.GetOrAdd(job.Id, () => new JobSnapshot(job.Id, job.Kind, job.Provider, job.Model, JobParameters.FromJson(job.Parameters)));
            var count = JobPacing.ClaimCount(load.OfProvider(job.Provider), gates.For(job.Provider).MaxConcurrent);
            if (count == 0)
            {
                continue;
            }

            var claimed = await ClaimAsync(db, snapshot, count, ct);
            foreach (var work in claimed)
            {
                runner.Start(work, ct);
            }

            started += claimed.Count;
            if (claimed.Count > 0 && access.ReportWriteSuccess())
            {
                LogStorageRecovered();
            }

            if (claimed.Count == 0 && !load.HasInflight(job.Id))
            {
                await completion.CompleteIfFinishedAsync(db, job.Id, ct);
            }
        }

        return started;
    }

    /// <summary>Claims up to <paramref name="count"/> items of a job under a fresh claim token and a lease in this instance's name.</summary>
    private async Task<List<JobWork>> ClaimAsync(TraceViewerDbContext db, JobSnapshot job, int count, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // An item this process still holds (say, waiting at a slow provider's gate, or its result waiting to be written)
        // is not taken again, whatever its lease says.
        var busy = held.Ids();
        var token = Guid.NewGuid();
        var items = await JobClaims.ClaimAsync(db, job.Id, count, busy, now, JobLeases.Until(now, options.Value.Lease), instance.Id, token, turn.TakeAsync, ct);
        held.Hold(items.Select(i => i.Id), token);
        load.Claimed(job.Id, items.Count);
        return [.. items.Select(i => new JobWork(job, i.Id, i.TraceId ?? 0, i.Position, i.SampleIndex, i.Attempts, i.Key) { ClaimToken = token })];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Jobs worker: the database can be written again")]
    private partial void LogStorageRecovered();
}
