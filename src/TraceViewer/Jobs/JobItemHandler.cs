using TraceViewer.Data;
using TraceViewer.Import;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;

namespace TraceViewer.Jobs;

/// <summary>
/// The work of one job kind: checks a request and lists its items, then does one item at a time. Each kind is one
/// class registered as a scoped <see cref="IJobItemHandler"/>; the worker picks it by <see cref="Kind"/>.
/// </summary>
internal interface IJobItemHandler
{
    JobKind Kind { get; }

    /// <summary>True when finishing every item of a trace position should recompute the trace's metrics.</summary>
    bool RecomputesMetrics { get; }

    /// <summary>Checks the kind-specific parts of a request and lists the items to create (not saved).</summary>
    Task<JobPlan> PlanAsync(JobRequest request, CancellationToken ct);

    /// <summary>Does one item's work without writing results; the worker writes the returned result in a batch.</summary>
    /// <exception cref="ModelCallException">A model call failed (retryable or not).</exception>
    Task<JobItemResult> RunAsync(JobWork work, CancellationToken ct);
}

/// <summary>A job as the worker runs it.</summary>
internal sealed record JobSnapshot(int Id, JobKind Kind, string Provider, string Model, JobParameters Parameters);

/// <summary>One claimed item of a job; <see cref="Attempt"/> counts from 1. <see cref="TraceId"/> is 0 for an item without a trace.</summary>
internal sealed record JobWork(JobSnapshot Job, long ItemId, int TraceId, int Position, int SampleIndex, int Attempt, string? Key = null)
{
    /// <summary>The claim this attempt holds; its result only updates the item while the item still carries it.</summary>
    public Guid? ClaimToken { get; init; }
}

/// <summary>One item to create: the trace, position and sample index it covers, or (with no trace) its <see cref="Key"/>.</summary>
internal readonly record struct PlannedItem(int? TraceId, int Position, int SampleIndex, string? Key = null);

/// <summary>A request's items, or the fields that make it invalid (field name to messages).</summary>
/// <remarks><see cref="Judge"/> and <see cref="Collect"/> are the kind's settings as stored with the job; <see cref="DatasetId"/> the dataset a job creates.</remarks>
internal sealed record JobPlan(
    IReadOnlyList<PlannedItem> Items,
    IDictionary<string, string[]>? Errors = null,
    string? Provider = null,
    string? Model = null,
    JudgeSettings? Judge = null,
    CollectSettings? Collect = null,
    int? DatasetId = null)
{
    public static JobPlan Invalid(string field, string message) => new([], new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>What one finished item writes; staged by the worker with other items' results in one transaction.</summary>
internal abstract class JobItemResult
{
    public int PromptTokens { get; init; }

    public int CompletionTokens { get; init; }

    /// <summary>Adds this item's rows to the batch; must be idempotent (the item may have been done before a crash).</summary>
    public abstract Task StageAsync(JobWriteBatch batch, CancellationToken ct);
}

/// <summary>A result with nothing to write (the handler stored what it made itself, e.g. cached embeddings).</summary>
internal sealed class NothingToWrite : JobItemResult
{
    public static readonly NothingToWrite Instance = new();

    public override Task StageAsync(JobWriteBatch batch, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>The writer's context for one batch: its DbContext and outcome ids looked up once per batch.</summary>
internal sealed class JobWriteBatch(TraceViewerDbContext db)
{
    private readonly Dictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly List<Resample> _resamples = [];

    public TraceViewerDbContext Db => db;

    /// <summary>Queues a resample (with its labels) for <see cref="SaveAsync"/>; one that already exists is skipped there.</summary>
    public void AddResample(Resample resample) => _resamples.Add(resample);

    /// <summary>
    /// Saves tracked changes, then inserts the queued resamples that do not exist yet (by trace, position and sample)
    /// with their labels. Returns the number of resamples inserted per trace.
    /// </summary>
    public async Task<Dictionary<int, int>> SaveAsync(CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        var inserted = await BulkInsert.InsertIgnoringConflictsAsync(db, _resamples, (r, id) => r.Id = id, ct);
        await BulkInsert.InsertAsync(db, [.. inserted.SelectMany(r => r.Labels.Select(l => { l.ResampleId = r.Id; return l; }))], null, ct);
        _resamples.Clear();
        return inserted.GroupBy(r => r.TraceId).ToDictionary(g => g.Key, g => g.Count());
    }

    public async Task<int> OutcomeIdAsync(string key, CancellationToken ct)
    {
        if (!_outcomes.TryGetValue(key, out var id))
        {
            var outcome = await db.GetOrAddAsync(key, ct);
            if (outcome.Id == 0)
            {
                await db.SaveChangesAsync(ct);
            }

            _outcomes[key] = id = outcome.Id;
        }

        return id;
    }
}
