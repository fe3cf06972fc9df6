using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Import;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;

namespace TraceViewer.Jobs;

/// <summary>
/// The work of one job kind: checks a request and lists its items, then does one item at a time. Each kind is one
/// class, named in <see cref="JobKinds"/> and registered as a scoped <see cref="IJobItemHandler"/> keyed by its kind.
/// </summary>
internal interface IJobItemHandler
{
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
    int? DatasetId = null,
    TagSettings? Tag = null,
    ResampleLabelSettings? Labels = null)
{
    public static JobPlan Invalid(string field, string message) => new([], new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>What one finished item writes; staged by the worker with other items' results in one transaction.</summary>
internal abstract class JobItemResult
{
    public int PromptTokens { get; init; }

    public int CompletionTokens { get; init; }

    /// <summary>
    /// Calls in the totals above that went to another provider or model than the job's (a judge on its own provider);
    /// each is priced at its own provider's and model's prices, the rest of the totals at the job's.
    /// </summary>
    public IReadOnlyList<ModelUsage> OtherCalls { get; init; } = [];

    /// <summary>This item's tokens by the provider and model that spent them: <see cref="OtherCalls"/>, the rest under the job's.</summary>
    public IEnumerable<ModelUsage> Usage(string jobProvider, string jobModel)
    {
        int prompt = PromptTokens, completion = CompletionTokens;
        foreach (var other in OtherCalls)
        {
            prompt -= other.PromptTokens;
            completion -= other.CompletionTokens;
            yield return other;
        }

        yield return new ModelUsage(jobProvider, jobModel, prompt, completion);
    }

    /// <summary>Judge calls an early stop left out (see <see cref="JudgeVoting.RunCountedAsync"/>).</summary>
    public int CallsSaved { get; init; }

    /// <summary>Adds this item's rows to the batch; must be idempotent (the item may have been done before a crash).</summary>
    public abstract Task StageAsync(JobWriteBatch batch, CancellationToken ct);
}

/// <summary>Tokens spent on calls to one provider's model.</summary>
internal readonly record struct ModelUsage(string Provider, string Model, int PromptTokens, int CompletionTokens);

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
    private readonly List<(Resample Resample, long? ItemId)> _resamples = [];
    private readonly Dictionary<Resample, IReadOnlyList<Judging.JudgeLabel>> _judgeLabels = new(ReferenceEqualityComparer.Instance);

    public TraceViewerDbContext Db => db;

    /// <summary>Resamples stored under a new sample number because their key was taken (see <see cref="AddResample"/>).</summary>
    public List<(long ItemId, int From, int To)> Renumbered { get; } = [];

    /// <summary>
    /// Queues a resample (with its labels) for <see cref="SaveAsync"/>. Without an item, one whose key exists is skipped
    /// there. With the item that produced it (whose claim the writer has checked), a taken key can only belong to another
    /// source (an import, another instance's job): the resample is stored under the next free number and the item follows it.
    /// </summary>
    public void AddResample(Resample resample, long? itemId = null, IReadOnlyList<Judging.JudgeLabel>? judgeLabels = null)
    {
        _resamples.Add((resample, itemId));
        if (judgeLabels is { Count: > 0 })
        {
            _judgeLabels[resample] = judgeLabels;
        }
    }

    /// <summary>
    /// Saves tracked changes, then inserts the queued resamples that do not exist yet (by trace, position and sample)
    /// with their labels. Returns the number of resamples inserted per trace.
    /// </summary>
    public async Task<Dictionary<int, int>> SaveAsync(CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        var queued = _resamples.ConvertAll(r => r.Resample);
        var inserted = await BulkInsert.InsertIgnoringConflictsAsync(db, queued, (r, id) => r.Id = id, ct);
        if (inserted.Count < queued.Count)
        {
            var stored = inserted.ToHashSet(ReferenceEqualityComparer.Instance);
            foreach (var (resample, itemId) in _resamples.Where(r => r.ItemId is not null && !stored.Contains(r.Resample)))
            {
                inserted.Add(await RenumberAsync(resample, itemId!.Value, ct));
            }
        }

        await BulkInsert.InsertAsync(db, [.. inserted.SelectMany(r => r.Labels.Select(l => { l.ResampleId = r.Id; return l; }))], null, ct);
        // The judges' verdicts behind judge-backed labels, once their resamples have ids.
        var verdicts = inserted.Where(_judgeLabels.ContainsKey).SelectMany(r => _judgeLabels[r].Select(l => { l.ResampleId = r.Id; return l; })).ToList();
        await BulkInsert.InsertAsync(db, verdicts, (l, id) => l.Id = id, ct);
        _resamples.Clear();
        _judgeLabels.Clear();
        return inserted.GroupBy(r => r.TraceId).ToDictionary(g => g.Key, g => g.Count());
    }

    private async Task<Resample> RenumberAsync(Resample resample, long itemId, CancellationToken ct)
    {
        var (traceId, position, from) = (resample.TraceId, resample.Position, resample.SampleIndex);
        var largest = await ResampleHandler.LargestSampleNumberAsync(db, traceId, position, ct);
        var used = SampleNumbers.FitsAfter(largest, 1) ? null : await ResampleHandler.UsedSampleNumbersAsync(db, traceId, position, ct);
        var to = SampleNumbers.Pick(largest, 1, () => used!)[0];
        await db.Set<JobItem>().Where(i => i.Id == itemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.SampleIndex, to), ct);
        resample.SampleIndex = to;
        var again = await BulkInsert.InsertIgnoringConflictsAsync(db, [resample], (r, id) => r.Id = id, ct);
        if (again.Count == 0)
        {
            throw new InvalidOperationException($"Sample {to} at position {position} of trace {traceId} was taken while storing a result.");
        }

        Renumbered.Add((itemId, from, to));
        return resample;
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
