using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;

namespace TraceViewer.Jobs;

/// <summary>Finishes jobs: a running job with no pending or running items is completed, or failed when nothing succeeded.</summary>
internal sealed partial class JobCompletion(JobWriteTurn turn, JobSnapshots snapshots, JobProgressFeed feed, TimeProvider clock, ILogger<JobCompletion> logger)
{
    private TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the next job finishes (used to cut the recompute pause short).</summary>
    public Task NextFinish => Volatile.Read(ref _finished).Task;

    /// <summary>Finishes the job if nothing of it is left to do; true when this call finished it.</summary>
    public async Task<bool> CompleteIfFinishedAsync(TraceViewerDbContext db, int jobId, CancellationToken ct)
    {
        if (await db.Set<JobItem>().AnyAsync(i => i.JobId == jobId && (i.Status == JobItemStatus.Pending || i.Status == JobItemStatus.Running), ct))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        int changed;
        using (await turn.TakeAsync(ct))
        {
            changed = await db.Set<Job>().Where(j => j.Id == jobId && j.Status == JobStatus.Running).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, j => j.DoneItems == 0 && j.FailedItems > 0 ? JobStatus.Failed : JobStatus.Completed)
                .SetProperty(j => j.FinishedAt, now), ct);
        }

        if (changed == 0)
        {
            return false;
        }

        snapshots.Remove(jobId);
        LogJobFinished(jobId);
        feed.Notify();
        Interlocked.Exchange(ref _finished, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} finished")]
    private partial void LogJobFinished(int jobId);
}
