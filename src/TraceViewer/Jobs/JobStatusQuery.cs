using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;

namespace TraceViewer.Jobs;

/// <summary>An item's last error, for the job's error list.</summary>
public sealed record JobItemError(long ItemId, int TraceId, int Position, int SampleIndex, string Status, int Attempts, string Error);

/// <summary>
/// A job's state for the API, the jobs page and the trace page's panel. <see cref="StorageProblem"/> says why an
/// active job cannot make progress: the database is read-only, or writing to it fails right now.
/// </summary>
public sealed record JobStatusView(
    int Id,
    string Kind,
    string Status,
    int? TraceId,
    int? DatasetId,
    string Provider,
    string Model,
    JobParameters Parameters,
    int Total,
    int Done,
    int Failed,
    int Pending,
    int Running,
    int Retries,
    long PromptTokens,
    long CompletionTokens,
    double Cost,
    double? ItemsPerMinute,
    double? EtaSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? LastError,
    IReadOnlyList<JobItemError> Errors,
    string? StorageProblem = null)
{
    /// <summary>Judge calls an early stop left out.</summary>
    public long JudgeCallsSaved { get; init; }

    public bool IsActive => Status is nameof(JobStatus.Queued) or nameof(JobStatus.Running) or nameof(JobStatus.Paused);

    public double Fraction => Total == 0 ? 0 : (double)(Done + Failed) / Total;
}

/// <summary>Reads jobs as view models; counts by item status are exact, rate and ETA are from the time since start.</summary>
internal sealed class JobStatusQuery(TraceViewerDbContext db, DatabaseAccess access, TimeProvider clock)
{
    public const int ErrorsShown = 10;

    public async Task<JobStatusView?> GetAsync(int id, CancellationToken ct)
    {
        var views = await LoadAsync(db.Set<Job>().Where(j => j.Id == id), includeErrors: true, ct);
        return views.Count == 0 ? null : views[0];
    }

    /// <summary>Newest first; optionally only the jobs of one trace, or only active ones.</summary>
    public Task<IReadOnlyList<JobStatusView>> ListAsync(int? traceId, bool activeOnly, int limit, CancellationToken ct)
    {
        var jobs = db.Set<Job>().AsQueryable();
        if (traceId is not null)
        {
            jobs = jobs.Where(j => j.TraceId == traceId);
        }

        if (activeOnly)
        {
            jobs = jobs.Where(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Running || j.Status == JobStatus.Paused);
        }

        return LoadAsync(jobs.OrderByDescending(j => j.Id).Take(Math.Clamp(limit, 1, 500)), includeErrors: false, ct);
    }

    /// <summary>The jobs with these ids (those that exist), without their errors.</summary>
    public Task<IReadOnlyList<JobStatusView>> ListByIdsAsync(IReadOnlyCollection<int> ids, CancellationToken ct) =>
        LoadAsync(db.Set<Job>().Where(j => ids.Contains(j.Id)), includeErrors: false, ct);

    private async Task<IReadOnlyList<JobStatusView>> LoadAsync(IQueryable<Job> query, bool includeErrors, CancellationToken ct)
    {
        var jobs = await query.AsNoTracking().ToListAsync(ct);
        if (jobs.Count == 0)
        {
            return [];
        }

        var ids = jobs.Select(j => j.Id).ToList();
        var counts = (await db.Set<JobItem>().AsNoTracking().Where(i => ids.Contains(i.JobId))
                .GroupBy(i => new { i.JobId, i.Status }).Select(g => new { g.Key.JobId, g.Key.Status, Count = g.Count() }).ToListAsync(ct))
            .ToLookup(c => c.JobId);
        var errors = includeErrors
            ? (await db.Set<JobItem>().AsNoTracking().Where(i => ids.Contains(i.JobId) && i.LastError != null)
                .OrderByDescending(i => i.Status == JobItemStatus.Failed).ThenByDescending(i => i.Id).Take(ErrorsShown)
                .Select(i => new { i.JobId, i.Id, i.TraceId, i.Position, i.SampleIndex, i.Status, i.Attempts, i.LastError }).ToListAsync(ct))
                .ToLookup(e => e.JobId)
            : null;
        var now = clock.GetUtcNow();
        var problem = access.Problem;
        return [.. jobs.Select(job =>
        {
            int Count(JobItemStatus status) => counts[job.Id].Where(c => c.Status == status).Sum(c => c.Count);
            var (done, failed, pending, running) = (Count(JobItemStatus.Done), Count(JobItemStatus.Failed), Count(JobItemStatus.Pending), Count(JobItemStatus.Running));
            var elapsed = ((job.FinishedAt ?? now) - (job.StartedAt ?? now)).TotalMinutes;
            double? rate = job.StartedAt is null || elapsed <= 0 ? null : (done + failed) / elapsed;
            double? eta = rate is > 0 && job.Status == JobStatus.Running ? (pending + running) / rate.Value * 60 : null;
            return new JobStatusView(
                job.Id, job.Kind.ToString(), job.Status.ToString(), job.TraceId, job.DatasetId, job.Provider, job.Model,
                JobParameters.FromJson(job.Parameters), job.TotalItems, done, failed, pending, running, job.Retries,
                job.PromptTokens, job.CompletionTokens, job.Cost, rate, eta, job.CreatedAt, job.StartedAt, job.FinishedAt, job.LastError,
                errors is null ? [] : [.. errors[job.Id].Select(e => new JobItemError(e.Id, e.TraceId ?? 0, e.Position, e.SampleIndex, e.Status.ToString(), e.Attempts, e.LastError!))],
                job.Status is JobStatus.Queued or JobStatus.Running ? problem : null)
            {
                JudgeCallsSaved = job.JudgeCallsSaved,
            };
        })];
    }
}
