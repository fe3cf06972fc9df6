using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Data;
using TraceViewer.MetricSets;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>What a page follows: every job, one job, or the jobs of one trace.</summary>
public readonly record struct JobTopic(int? JobId, int? TraceId)
{
    public static JobTopic All => default;

    public static JobTopic Job(int id) => new(id, null);

    public static JobTopic Trace(int id) => new(null, id);

    public bool Covers(int jobId, int? traceId) => JobId is { } job ? job == jobId : TraceId is not { } trace || trace == traceId;
}

/// <summary>What a page already shows when it subscribes; the feed sends what differs from it.</summary>
/// <param name="Jobs">The jobs shown; those still active are followed until they finish.</param>
/// <param name="LatestJobId">The newest job id when the page read its data: later jobs are new to it.</param>
/// <param name="Results">For a trace topic, what the trace had stored when the page read it.</param>
public sealed record JobFeedBaseline(IReadOnlyList<JobStatusView> Jobs, int LatestJobId, TraceResultsStamp? Results = null);

/// <summary>
/// A change for one subscriber: the jobs of its topic whose state changed (exact counts, rate and ETA), whether jobs
/// were created in its topic, and for a trace topic whether the trace stored new resamples or metrics.
/// </summary>
public sealed record JobFeedUpdate(IReadOnlyList<JobStatusView> Jobs, bool NewJobs, bool ResultsStored);

/// <summary>Pushes job progress to open pages.</summary>
internal interface IJobProgressFeed
{
    /// <summary>Calls <paramref name="onUpdate"/> whenever something of <paramref name="topic"/> changes, until disposed.</summary>
    IDisposable Subscribe(JobTopic topic, JobFeedBaseline shown, Func<JobFeedUpdate, Task> onUpdate);
}

/// <summary>
/// Watches the database for job progress while any page subscribes, and tells each subscriber what changed in its
/// topic. One loop serves every subscriber: once per <see cref="JobsOptions.ProgressInterval"/> it reads the state
/// columns of the jobs that are active, followed or new (one small indexed query), and only when some of them changed
/// the exact counts of those. So progress written by another instance on the same database shows too; the worker and
/// the job service of this instance call <see cref="Notify"/> to have it looked at at once.
/// </summary>
internal sealed partial class JobProgressFeed(
    IServiceScopeFactory scopes, IOptions<JobsOptions> options, TimeProvider clock, ILogger<JobProgressFeed> logger)
    : IJobProgressFeed, IDisposable
{
    /// <summary>Notifications closer together than this are taken as one look.</summary>
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(150);

    private readonly Lock _lock = new();
    private readonly List<Subscription> _subscriptions = [];
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    /// <summary>Looks taken so far; tests and benchmarks read it.</summary>
    public long Checks { get; private set; }

    /// <summary>Whether the loop runs (only while someone subscribes).</summary>
    public bool IsWatching
    {
        get
        {
            lock (_lock)
            {
                return _loop is { IsCompleted: false };
            }
        }
    }

    public IDisposable Subscribe(JobTopic topic, JobFeedBaseline shown, Func<JobFeedUpdate, Task> onUpdate)
    {
        var subscription = new Subscription(this, topic, shown, onUpdate);
        lock (_lock)
        {
            _subscriptions.Add(subscription);
            if (_loop is null or { IsCompleted: true })
            {
                _loop = Task.Run(LoopAsync);
            }
        }

        // The page read its data a moment ago (maybe while prerendering); catch up with what changed since.
        Notify();
        return subscription;
    }

    /// <summary>Something changed in this process: look now rather than at the next interval.</summary>
    public void Notify()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_lock)
        {
            _subscriptions.Remove(subscription);
        }
    }

    private async Task LoopAsync()
    {
        var ct = _stop.Token;
        var last = clock.GetTimestamp();
        while (!ct.IsCancellationRequested)
        {
            Subscription[] subscriptions;
            lock (_lock)
            {
                if (_subscriptions.Count == 0)
                {
                    _loop = null;
                    return;
                }

                subscriptions = [.. _subscriptions];
            }

            try
            {
                await CheckAsync(subscriptions, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database that is briefly busy or away: try again at the next look.
                LogCheckFailed(e);
            }

            try
            {
                await _wake.WaitAsync(options.Value.ProgressInterval, ct);
                var since = clock.GetElapsedTime(last);
                if (since < Gap)
                {
                    await Task.Delay(Gap - since, clock, ct);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            last = clock.GetTimestamp();
        }
    }

    private async Task CheckAsync(Subscription[] subscriptions, CancellationToken ct)
    {
        Checks++;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        var followed = subscriptions.SelectMany(s => s.Followed).Distinct().ToList();
        // Only topics that can gain jobs look for new ones; a job's page cannot.
        var since = subscriptions.Where(s => s.Topic.JobId is null).Select(s => s.LatestJobId).DefaultIfEmpty(int.MaxValue).Min();
        var rows = await db.Set<Job>().AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Running || j.Status == JobStatus.Paused
                || followed.Contains(j.Id) || j.Id > since)
            .Select(j => new JobState(j.Id, j.TraceId, j.Status, j.DoneItems, j.FailedItems, j.Retries, j.PromptTokens + j.CompletionTokens, j.FinishedAt))
            .ToListAsync(ct);
        var latest = rows.Count == 0 ? 0 : rows.Max(r => r.Id);

        var changes = subscriptions.Select(s => (Subscription: s, Plan: s.Plan(rows))).ToList();
        var toLoad = changes.SelectMany(c => c.Plan.Changed).Select(r => r.Id).Distinct().ToList();
        var views = toLoad.Count == 0
            ? new Dictionary<int, JobStatusView>()
            : (await scope.ServiceProvider.GetRequiredService<JobStatusQuery>().ListByIdsAsync(toLoad, ct)).ToDictionary(v => v.Id);

        // Stored results of the followed traces, only while a job of theirs (or one over several traces) runs or has just finished (its recompute lands after).
        var now = clock.GetUtcNow();
        var traceIds = subscriptions
            .Where(s => s.Topic.TraceId is not null && (s.FirstLook || now < s.SettleUntil || rows.Any(r => (r.TraceId == s.Topic.TraceId || r.TraceId is null) && r.IsActive)))
            .Select(s => s.Topic.TraceId!.Value).Distinct().ToList();
        var stamps = traceIds.Count == 0
            ? new Dictionary<int, TraceResultsStamp>()
            : await db.Set<Trace>().AsNoTracking().Where(t => traceIds.Contains(t.Id))
                .Select(t => new { t.Id, t.ResampleCount, Metrics = db.Set<MetricSet>().Where(m => m.TraceId == t.Id).Max(m => (int?)m.Id) ?? 0 })
                .ToDictionaryAsync(t => t.Id, t => new TraceResultsStamp(t.ResampleCount, t.Metrics), ct);

        foreach (var (subscription, plan) in changes)
        {
            var stored = subscription.Topic.TraceId is { } traceId && stamps.TryGetValue(traceId, out var stamp) && subscription.ResultsChanged(stamp);
            var jobs = plan.Changed.Where(r => views.ContainsKey(r.Id)).Select(r => views[r.Id]).ToList();
            subscription.Advance(plan.Changed, latest, now);
            if (jobs.Count > 0 || plan.NewJobs || stored)
            {
                subscription.Deliver(new JobFeedUpdate(jobs, plan.NewJobs, stored));
            }
        }
    }

    public void Dispose()
    {
        // Registered as itself and as IJobProgressFeed, so the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop.Cancel();
        _stop.Dispose();
        _wake.Dispose();
    }

    /// <summary>The columns of a job row that change as it progresses.</summary>
    private sealed record JobState(int Id, int? TraceId, JobStatus Status, int Done, int Failed, int Retries, long Tokens, DateTimeOffset? FinishedAt)
    {
        public bool IsActive => Status is JobStatus.Queued or JobStatus.Running or JobStatus.Paused;
    }

    private sealed record Plan(IReadOnlyList<JobState> Changed, bool NewJobs);

    /// <summary>One subscriber and what it has been sent. Only the feed's loop touches the state after subscribing.</summary>
    private sealed class Subscription(JobProgressFeed feed, JobTopic topic, JobFeedBaseline shown, Func<JobFeedUpdate, Task> onUpdate) : IDisposable
    {
        // Jobs the page shows as active: their first state is not known in the feed's terms, so the first look sends them.
        private readonly Dictionary<int, JobState?> _sent = shown.Jobs.Where(j => j.IsActive).ToDictionary(j => j.Id, _ => (JobState?)null);
        private TraceResultsStamp? _results = shown.Results;
        private volatile bool _disposed;
        private Task _delivering = Task.CompletedTask;

        public JobTopic Topic => topic;

        public int LatestJobId { get; private set; } = shown.LatestJobId;

        public bool FirstLook { get; private set; } = true;

        /// <summary>Jobs whose next states this page needs: those it shows as active.</summary>
        public IEnumerable<int> Followed => _sent.Where(s => s.Value is null || s.Value.IsActive).Select(s => s.Key);

        public Plan Plan(IReadOnlyList<JobState> rows)
        {
            var mine = rows.Where(r => topic.Covers(r.Id, r.TraceId)).ToList();
            bool IsNew(JobState r) => topic.JobId is null && r.Id > LatestJobId;
            var changed = mine.Where(r => _sent.TryGetValue(r.Id, out var sent) ? sent != r : IsNew(r)).ToList();
            return new Plan(changed, mine.Any(IsNew));
        }

        /// <summary>Until then the trace's results are looked at although none of its jobs runs: a finished job's last recompute lands after it.</summary>
        public DateTimeOffset SettleUntil { get; private set; }

        public void Advance(IReadOnlyList<JobState> sent, int latest, DateTimeOffset now)
        {
            foreach (var state in sent)
            {
                _sent[state.Id] = state;
                if (!state.IsActive)
                {
                    SettleUntil = now + JobPageQueries.SettleTime;
                }
            }

            // Finished jobs need no more looks.
            foreach (var id in _sent.Where(s => s.Value is { IsActive: false }).Select(s => s.Key).ToList())
            {
                _sent.Remove(id);
            }

            LatestJobId = Math.Max(LatestJobId, latest);
            FirstLook = false;
        }

        public bool ResultsChanged(TraceResultsStamp stamp)
        {
            var changed = _results is { } known && known != stamp;
            _results = stamp;
            return changed;
        }

        /// <summary>Hands the update over after the previous one was taken, so a page never applies an older state last.</summary>
        public void Deliver(JobFeedUpdate update) => _delivering = DeliverAfterAsync(_delivering, update);

        private async Task DeliverAfterAsync(Task previous, JobFeedUpdate update)
        {
            await previous;
            if (_disposed)
            {
                return;
            }

            try
            {
                await onUpdate(update);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A page that went away mid-update (its circuit closed) must not stop the others.
                feed.LogDeliveryFailed(e);
            }
        }

        public void Dispose()
        {
            _disposed = true;
            feed.Remove(this);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job progress: looking at the jobs failed; trying again at the next interval")]
    private partial void LogCheckFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job progress: a page could not take an update")]
    private partial void LogDeliveryFailed(Exception exception);
}
