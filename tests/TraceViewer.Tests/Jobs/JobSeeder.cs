using TraceViewer.Data;
using TraceViewer.Jobs;

namespace TraceViewer.Tests.Jobs;

/// <summary>Jobs written straight into the database, in the states a test needs, as another instance's worker would leave them.</summary>
internal static class JobSeeder
{
    public const string HostileError = "HTTP 500: <script>window.__pwned = 1</script>";

    /// <summary>A resample job with items at positions 0..positions.Length-1, each position's items in the given statuses.</summary>
    public static async Task<int> AddJobAsync(TraceViewerDbContext db, int traceId, JobStatus status, DateTimeOffset now, params JobItemStatus[][] positions)
    {
        var items = positions.SelectMany((statuses, position) => statuses.Select((s, sample) => (Position: position, Sample: sample, Status: s))).ToList();
        var job = new Job
        {
            Kind = JobKind.Resample, Status = status, TraceId = traceId, Provider = "loop", Model = "model-x",
            Parameters = new JobParameters { From = 0, To = positions.Length - 1, N = positions.Max(p => p.Length) }.ToJson(),
            TotalItems = items.Count, DoneItems = items.Count(i => i.Status == JobItemStatus.Done), FailedItems = items.Count(i => i.Status == JobItemStatus.Failed),
            CreatedAt = now, StartedAt = status == JobStatus.Queued ? null : now,
        };
        db.Add(job);
        await db.SaveChangesAsync();
        db.AddRange(items.Select(i => new JobItem
        {
            JobId = job.Id, TraceId = traceId, Position = i.Position, SampleIndex = i.Sample, Status = i.Status,
            Attempts = i.Status == JobItemStatus.Failed ? 5 : 1, LastError = i.Status == JobItemStatus.Failed ? HostileError : null,
        }));
        await db.SaveChangesAsync();
        return job.Id;
    }

    public static async Task<int> AddJobAsync(TestApp app, int traceId, JobStatus status, params JobItemStatus[][] positions)
    {
        await using var db = app.CreateDbContext();
        return await AddJobAsync(db, traceId, status, app.Clock.GetUtcNow(), positions);
    }

    /// <summary>Marks the first pending items of a job done, with the job's counters, as a worker's write does.</summary>
    public static async Task CompleteItemsAsync(TraceViewerDbContext db, int jobId, int count)
    {
        var items = db.Set<JobItem>().Where(i => i.JobId == jobId && i.Status == JobItemStatus.Pending).OrderBy(i => i.Id).Take(count).ToList();
        foreach (var item in items)
        {
            item.Status = JobItemStatus.Done;
        }

        var job = await db.Set<Job>().FindAsync(jobId);
        job!.DoneItems += items.Count;
        job.PromptTokens += 100 * items.Count;
        job.CompletionTokens += 50 * items.Count;
        await db.SaveChangesAsync();
    }
}
