using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>A job with a readable name and link for its target.</summary>
public sealed record JobRow(JobStatusView Job, string TargetName, string? TargetLink);

/// <summary>The jobs page's table, and the newest job id when it was read: jobs after it are new to the page.</summary>
public sealed record JobTableView(IReadOnlyList<JobRow> Rows, int LatestJobId);

/// <summary>Item counts at one position of a job.</summary>
public sealed record PositionCounts(int Position, int Done, int Failed, int Pending, int Running)
{
    public int Total => Done + Failed + Pending + Running;
}

/// <summary>Item counts on one trace of a job over several traces.</summary>
public sealed record TraceCounts(int TraceId, string Title, int Done, int Failed, int Pending, int Running)
{
    public int Total => Done + Failed + Pending + Running;
}

/// <summary>One job's page: its row and the counts at every position (and, for a job over several traces, on every trace).</summary>
public sealed record JobDetailView(JobRow Row, IReadOnlyList<PositionCounts> Positions)
{
    public IReadOnlyList<TraceCounts> Traces { get; init; } = [];

    /// <summary>
    /// A resample job whose new continuations a judge labels: some trace of the job is studied for an outcome a judge
    /// labels (alignment faking, blackmail). Without one no label judge runs, and its settings say nothing.
    /// </summary>
    public bool LabelJudged { get; init; }
}

/// <summary>What a trace has stored: a new resample or a new metric set changes it.</summary>
public readonly record struct TraceResultsStamp(int ResampleCount, int MetricsStamp);

/// <summary>
/// The trace's jobs panel. <see cref="MetricsStamp"/> changes whenever the trace's metrics are recomputed (each
/// recompute stores a new set) and <see cref="ResampleCount"/> whenever a job stores resamples, so the page knows when
/// to redraw.
/// </summary>
public sealed record TraceJobsView(int TraceId, IReadOnlyList<JobStatusView> Jobs, int MetricsStamp)
{
    public int ResampleCount { get; init; }

    public int SentenceCount { get; init; }

    /// <summary>The newest job id of any trace when this was read.</summary>
    public int LatestJobId { get; init; }

    public TraceResultsStamp Results => new(ResampleCount, MetricsStamp);

    /// <summary>The outcomes the trace is studied for and its ground truth, for the resample form's labelling list.</summary>
    public StudiedOutcomes? Outcomes { get; init; }
}

/// <summary>Reads jobs for the pages, adding target names and per-position counts to <see cref="JobStatusQuery"/>.</summary>
internal sealed class JobPageQueries(TraceViewerDbContext db, JobStatusQuery status)
{
    public const int JobsListed = 100;

    public const int TraceJobsListed = 10;

    /// <summary>How long a trace's results are still looked at after its last job finished: the final recompute lands shortly after.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(10);

    public async Task<JobTableView> ListAsync(CancellationToken ct)
    {
        // Read first: a job created while the list is read is then either listed or counted as new.
        var latest = await LatestJobIdAsync(ct);
        return new(await RowsAsync(await status.ListAsync(null, activeOnly: false, JobsListed, ct), ct), latest);
    }

    public async Task<int> LatestJobIdAsync(CancellationToken ct) => await db.Set<Job>().MaxAsync(j => (int?)j.Id, ct) ?? 0;

    public async Task<JobDetailView?> GetAsync(int id, CancellationToken ct)
    {
        if (await status.GetAsync(id, ct) is not { } job)
        {
            return null;
        }

        var counts = await db.Set<JobItem>().AsNoTracking().Where(i => i.JobId == id)
            .GroupBy(i => new { i.Position, i.Status }).Select(g => new { g.Key.Position, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        var positions = counts.GroupBy(c => c.Position).OrderBy(g => g.Key).Select(g =>
        {
            int Count(JobItemStatus s) => g.Where(c => c.Status == s).Sum(c => c.Count);
            return new PositionCounts(g.Key, Count(JobItemStatus.Done), Count(JobItemStatus.Failed), Count(JobItemStatus.Pending), Count(JobItemStatus.Running));
        }).ToList();
        IReadOnlyList<TraceCounts> traces = [];
        if (job.Parameters.Traces is not null)
        {
            var byTrace = await db.Set<JobItem>().AsNoTracking().Where(i => i.JobId == id && i.TraceId != null)
                .GroupBy(i => new { TraceId = i.TraceId!.Value, i.Status }).Select(g => new { g.Key.TraceId, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
            var ids = byTrace.Select(c => c.TraceId).Distinct().ToList();
            var titles = await db.Set<Trace>().AsNoTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Title, ct);
            traces = [.. byTrace.GroupBy(c => c.TraceId).OrderBy(g => g.Key).Select(g =>
            {
                int Count(JobItemStatus s) => g.Where(c => c.Status == s).Sum(c => c.Count);
                return new TraceCounts(g.Key, titles.GetValueOrDefault(g.Key, $"Trace {g.Key}"),
                    Count(JobItemStatus.Done), Count(JobItemStatus.Failed), Count(JobItemStatus.Pending), Count(JobItemStatus.Running));
            })];
        }

        var labelJudged = job.Parameters is { Labels: { } labels, Tag: null, Judge: null } && await LabelJudgedAsync(id, job.TraceId, labels, ct);
        return new JobDetailView((await RowsAsync([job], ct))[0], positions) { Traces = traces, LabelJudged = labelJudged };
    }

    /// <summary>Whether a judge labels the new continuations of resample job <paramref name="jobId"/> on some trace (as <see cref="ResampleHandler"/> chooses).</summary>
    private async Task<bool> LabelJudgedAsync(int jobId, int? traceId, ResampleLabelSettings labels, CancellationToken ct)
    {
        List<int> traceIds = traceId is { } one ? [one]
            : await db.Set<JobItem>().AsNoTracking().Where(i => i.JobId == jobId && i.TraceId != null).Select(i => i.TraceId!.Value).Distinct().ToListAsync(ct);
        var primaries = db.Set<Trace>().Where(t => traceIds.Contains(t.Id))
            .Select(t => db.Set<Dataset>().Where(d => d.Id == t.DatasetId).Select(d => d.PrimaryOutcomeId).FirstOrDefault());
        // The outcomes StudiedOutcomes finds for each of the traces, all at once.
        var keys = await db.Set<Outcomes.Outcome>().AsNoTracking()
            .Where(o => primaries.Any(p => p == o.Id)
                || db.Set<TraceLabel>().Any(l => traceIds.Contains(l.TraceId) && l.OutcomeId == o.Id)
                || db.Set<MetricSet>().Any(m => traceIds.Contains(m.TraceId) && m.OutcomeId == o.Id)
                || db.Set<Resampling.ResampleLabel>().Any(l => l.OutcomeId == o.Id && db.Set<Resampling.Resample>().Any(r => r.Id == l.ResampleId && traceIds.Contains(r.TraceId))))
            .Select(o => o.Key).ToListAsync(ct);
        return Outcomes.OutcomeLabelling.Choose(keys, null, labels.AlignmentFaking).Any(l => l.Method == Outcomes.LabelMethod.Judge);
    }

    public async Task<TraceJobsView> ForTraceAsync(int traceId, CancellationToken ct)
    {
        var latest = await LatestJobIdAsync(ct);
        var trace = await db.Set<Trace>().AsNoTracking().Where(t => t.Id == traceId)
            .Select(t => new
            {
                t.ResampleCount, t.SentenceCount, MetricsStamp = db.Set<MetricSet>().Where(m => m.TraceId == t.Id).Max(m => (int?)m.Id),
                t.Metadata, Primary = db.Set<Dataset>().Where(d => d.Id == t.DatasetId).Select(d => d.PrimaryOutcomeId).FirstOrDefault(),
            })
            .SingleOrDefaultAsync(ct);
        var jobs = await status.ListAsync(traceId, activeOnly: false, TraceJobsListed, ct);
        return new TraceJobsView(traceId, jobs, trace?.MetricsStamp ?? 0)
        {
            ResampleCount = trace?.ResampleCount ?? 0,
            SentenceCount = trace?.SentenceCount ?? 0,
            LatestJobId = latest,
            Outcomes = trace is null ? null : await StudiedOutcomes.LoadAsync(db, traceId, trace.Primary, trace.Metadata, ct),
        };
    }

    /// <summary>Taxonomies a tag job can apply (those with a tag that is not retired), by name.</summary>
    public async Task<IReadOnlyList<string>> ListTaxonomiesAsync(CancellationToken ct) =>
        await db.Set<Tags.Taxonomy>().AsNoTracking().Where(x => db.Set<Tags.Tag>().Any(t => t.TaxonomyId == x.Id && !t.Retired))
            .OrderBy(x => x.Name).Select(x => x.Name).ToListAsync(ct);

    private async Task<IReadOnlyList<JobRow>> RowsAsync(IReadOnlyList<JobStatusView> jobs, CancellationToken ct)
    {
        var traceIds = jobs.Where(j => j.TraceId is not null).Select(j => j.TraceId!.Value).Distinct().ToList();
        var datasetIds = jobs.Where(j => j.DatasetId is not null).Select(j => j.DatasetId!.Value).Distinct().ToList();
        var traces = await db.Set<Trace>().AsNoTracking().Where(t => traceIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Title, ct);
        var datasets = await db.Set<Dataset>().AsNoTracking().Where(d => datasetIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Name, ct);
        return [.. jobs.Select(job => job switch
        {
            { TraceId: int t } => new JobRow(job, traces.GetValueOrDefault(t, $"Trace {t}"), TraceLinks.Trace(t)),
            // A job over a list of traces links to its page's table of those traces, each linked, not to its dataset's whole list.
            { Parameters.Traces: int n, DatasetId: int d } => new JobRow(job, $"{n} trace{(n == 1 ? "" : "s")} of {datasets.GetValueOrDefault(d, $"dataset {d}")}", TracesOf(job.Id)),
            { Parameters.Traces: int n } => new JobRow(job, $"{n} trace{(n == 1 ? "" : "s")} of several datasets", TracesOf(job.Id)),
            { DatasetId: int d } => new JobRow(job, datasets.GetValueOrDefault(d, $"Dataset {d}"), $"/traces?dataset={d}"),
            _ => new JobRow(job, "–", null),
        })];
    }

    /// <summary>The job page's list of the traces a job over several traces works on.</summary>
    public static string TracesOf(int jobId) => $"/jobs/{jobId}#{TracesAnchor}";

    public const string TracesAnchor = "job-traces-list";
}
