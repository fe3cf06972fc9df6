using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;

namespace TraceViewer.Jobs;

/// <summary>
/// Items this worker claimed whose outcome is not stored yet (in flight, or waiting to be written): their leases are
/// renewed, and this worker does not claim them again.
/// </summary>
internal sealed class HeldClaims
{
    private readonly ConcurrentDictionary<long, Guid> _held = new();

    public List<long> Ids() => [.. _held.Keys];

    public void Hold(IEnumerable<long> itemIds, Guid token)
    {
        foreach (var id in itemIds)
        {
            _held[id] = token;
        }
    }

    /// <summary>The item's outcome is stored (or given up on): no longer held, unless a newer claim holds it.</summary>
    public void Forget(JobWork work)
    {
        if (work.ClaimToken is { } token)
        {
            _held.TryRemove(new KeyValuePair<long, Guid>(work.ItemId, token));
        }
    }
}

/// <summary>
/// SQLite has one writer at a time and a busy connection sleeps before retrying: the worker's own writes (claims,
/// results, completions) take turns here instead.
/// </summary>
internal sealed class JobWriteTurn : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task<IDisposable> TakeAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        return new Turn(_turn);
    }

    public void Dispose() => _turn.Dispose();

    /// <summary>
    /// Opens the connection and, on SQLite, lets commits skip the sync to disk. With write-ahead logging this cannot
    /// corrupt the database; a power cut may lose the last commits, whose items are still running and run again.
    /// </summary>
    public static async Task RelaxSyncAsync(TraceViewerDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous=NORMAL;", ct);
        }
    }

    private sealed class Turn(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}

/// <summary>
/// The jobs the scheduler last saw running. A job that stops running (paused or cancelled) cancels its stop token, so
/// its claimed items stop waiting at the provider's gate.
/// </summary>
internal sealed class RunningJobs
{
    private volatile HashSet<int> _running = [];
    private readonly ConcurrentDictionary<int, CancellationTokenSource> _stops = new();

    public bool IsRunning(int jobId) => _running.Contains(jobId);

    public async Task SetAsync(IEnumerable<int> running)
    {
        HashSet<int> now = [.. running];
        _running = now;
        foreach (var (id, stop) in _stops)
        {
            if (!now.Contains(id) && _stops.TryRemove(id, out _))
            {
                await stop.CancelAsync();
                stop.Dispose();
            }
        }
    }

    /// <summary>Cancelled once the job is no longer running.</summary>
    public CancellationToken StopTokenOf(int jobId)
    {
        try
        {
            return _stops.GetOrAdd(jobId, _ => new CancellationTokenSource()).Token;
        }
        catch (ObjectDisposedException)
        {
            return new CancellationToken(canceled: true);
        }
    }
}

/// <summary>Running jobs as the worker runs them, read once per job rather than on every claim.</summary>
internal sealed class JobSnapshots
{
    private readonly ConcurrentDictionary<int, JobSnapshot> _snapshots = new();

    public JobSnapshot GetOrAdd(int jobId, Func<JobSnapshot> read) => _snapshots.GetOrAdd(jobId, _ => read());

    public void Remove(int jobId) => _snapshots.TryRemove(jobId, out _);
}

/// <summary>The items in flight in this worker: their tasks, and counts per provider and per job.</summary>
internal sealed class JobWorkerLoad
{
    private readonly ConcurrentDictionary<long, Task> _tasks = new();
    private readonly ConcurrentDictionary<string, int> _byProvider = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, int> _byJob = new();

    public int OfProvider(string provider) => _byProvider.GetValueOrDefault(provider);

    public bool HasInflight(int jobId) => _byJob.GetValueOrDefault(jobId) > 0;

    public void Claimed(int jobId, int count) => _byJob.AddOrUpdate(jobId, count, (_, n) => n + count);

    public void Start(JobWork work, Func<Task> run)
    {
        _byProvider.AddOrUpdate(work.Job.Provider, 1, (_, n) => n + 1);
        _tasks[work.ItemId] = Task.Run(run, CancellationToken.None);
    }

    /// <summary>Counts the item out; returns what is left in flight for its provider and for its job.</summary>
    public (int ProviderLeft, int JobLeft) Ended(JobWork work)
    {
        var left = _byProvider.AddOrUpdate(work.Job.Provider, 0, (_, n) => n - 1);
        var jobLeft = _byJob.AddOrUpdate(work.Job.Id, 0, (_, n) => n - 1);
        _tasks.TryRemove(work.ItemId, out _);
        return (left, jobLeft);
    }

    public Task AllEndedAsync() => Task.WhenAll(_tasks.Values);
}

/// <summary>How far the worker claims ahead of a provider and when a finished item wakes the scheduler.</summary>
internal static class JobPacing
{
    /// <summary>Items claimed per provider, as a multiple of its concurrency: one share in flight, the rest waiting at its gate.</summary>
    public const int Ahead = 4;

    /// <summary>
    /// How many items to claim for a provider with <paramref name="inflight"/> items in flight: up to <see cref="Ahead"/>
    /// times its concurrency, and while the provider is busy only in blocks of at least one concurrency's worth, so
    /// claims are few and the provider never waits for one. 0 means claim nothing now.
    /// </summary>
    public static int ClaimCount(int inflight, int concurrency)
    {
        var capacity = Ahead * concurrency - inflight;
        return capacity <= 0 || (inflight >= concurrency && capacity < concurrency) ? 0 : capacity;
    }

    /// <summary>
    /// Whether a finished item should wake the scheduler: there is room for a block ahead of the provider, the provider
    /// is about to run dry, or the job has nothing left in flight; not at every item.
    /// </summary>
    public static bool WakesScheduler(int providerLeft, int jobLeft, int concurrency) =>
        jobLeft == 0 || providerLeft == (Ahead - 1) * concurrency || providerLeft == concurrency || providerLeft == 0;
}

/// <summary>The job kinds this installation has handlers for, and which of them recompute metrics.</summary>
internal sealed class InstalledJobKinds
{
    private volatile Dictionary<JobKind, bool> _kinds = [];

    /// <summary>Reads which kinds of <see cref="JobKinds"/> have a handler registered.</summary>
    public void Load(IServiceProvider services) =>
        _kinds = JobKinds.All.Where(k => services.GetKeyedService<IJobItemHandler>(k.Kind) is not null).ToDictionary(k => k.Kind, k => k.RecomputesMetrics);

    public bool IsInstalled(JobKind kind) => _kinds.ContainsKey(kind);

    public bool RecomputesMetrics(JobKind kind) => _kinds.GetValueOrDefault(kind);
}
