using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Data;
using TraceViewer.MetricSets;
using TraceViewer.Providers;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>
/// Runs jobs from the database. It claims items under a lease in this instance's name (<see cref="JobClaims"/>: any
/// number of workers on one database never hold the same item), renews the leases while it works on them, runs each
/// item inside its own DI scope within its provider's limits, and hands results to one writer that stores them in
/// batches, each result with its idempotency key. Items of a worker that stopped cleanly go back to the queue; those of
/// one that was killed are claimed again by any worker once their leases run out (<see cref="JobLeases"/>). When every
/// item of a trace position is finished, the trace's metrics are recomputed.
/// </summary>
internal sealed partial class JobWorker(
    IServiceScopeFactory scopes,
    ProviderRegistry providers,
    ProviderGates gates,
    JobSignal signal,
    DatabaseAccess access,
    JobProgressFeed feed,
    JobWorkerHeartbeat heartbeat,
    JobInstance instance,
    IOptions<JobsOptions> options,
    TimeProvider clock,
    ILogger<JobWorker> logger) : BackgroundService
{
    private readonly Channel<ItemOutcome> _results = Channel.CreateUnbounded<ItemOutcome>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<int> _recompute = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<int, byte> _recomputePending = new();
    private readonly ConcurrentDictionary<long, Task> _inflight = new();
    // Items this worker claimed whose outcome is not stored yet (in flight, or waiting to be written): their leases are
    // renewed, and this worker does not claim them again.
    private readonly ConcurrentDictionary<long, Guid> _held = new();
    private readonly ConcurrentDictionary<string, int> _inflightByProvider = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, int> _inflightJobs = new();
    private readonly ConcurrentDictionary<int, JobSnapshot> _snapshots = new();
    // SQLite has one writer at a time and a busy connection sleeps before retrying: the worker's own writes (claims,
    // results, completions) take turns here instead.
    private readonly SemaphoreSlim _writeTurn = new(1, 1);
    // Items claimed per provider, as a multiple of its concurrency: one share in flight, the rest waiting at its gate.
    private const int Ahead = 4;
    private volatile HashSet<int> _active = [];
    // True while the writer holds results it could not store (a full or failing disk): nothing new is claimed meanwhile.
    private volatile bool _holding;

    // Cancelled when a job stops running (paused or cancelled): its claimed items stop waiting at the provider's gate.
    private readonly ConcurrentDictionary<int, CancellationTokenSource> _jobStops = new();
    // Completed when a job finishes, to cut short the recompute loop's pause: finished traces are recomputed at once.
    private TaskCompletionSource _jobFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Dictionary<JobKind, bool> _kinds = [];

    private abstract record ItemOutcome(JobWork Work);

    private sealed record ItemDone(JobWork Work, JobItemResult Result, double ElapsedMs) : ItemOutcome(Work);

    private sealed record ItemRetry(JobWork Work, string Error, DateTimeOffset NextAttemptAt) : ItemOutcome(Work);

    private sealed record ItemFailed(JobWork Work, string Error) : ItemOutcome(Work);

    /// <summary>Claimed but not started because its job was paused or cancelled meanwhile.</summary>
    private sealed record ItemReleased(JobWork Work) : ItemOutcome(Work);

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
            _kinds = scope.ServiceProvider.GetServices<IJobItemHandler>().ToDictionary(h => h.Kind, h => h.RecomputesMetrics);
        }

        // Items left running by an earlier process are not taken back here: they may be another live instance's. Their
        // leases run out unless renewed, and then any worker claims them.
        LogStarted(instance.Id, options.Value.Lease.TotalSeconds);
        var writer = Task.Run(() => WriteLoopAsync(stoppingToken), CancellationToken.None);
        var recompute = Task.Run(() => RecomputeLoopAsync(stoppingToken), CancellationToken.None);
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewal = Task.Run(() => RenewLoopAsync(renewing.Token), CancellationToken.None);
        try
        {
            var failures = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                heartbeat.Beat();
                int started;
                try
                {
                    started = _holding ? 0 : await ScheduleAsync(stoppingToken);
                    failures = 0;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A failing disk or database (or a bug) must not stop the host: wait, then try again.
                    var delay = StorageDelay(++failures);
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
            await Task.WhenAll(_inflight.Values);
            _results.Writer.TryComplete();
            await writer;
            await renewing.CancelAsync();
            await renewal;
            _recompute.Writer.TryComplete();
            await recompute;
        }
    }

    /// <summary>
    /// Starts queued jobs, then claims work for running ones up to <see cref="Ahead"/> times each provider's
    /// concurrency, in blocks of at least one concurrency's worth, so claims are few and the provider never waits for one.
    /// </summary>
    private async Task<int> ScheduleAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        await RelaxSyncAsync(db, ct);
        var now = clock.GetUtcNow();
        if (await db.Set<Job>().AnyAsync(j => j.Status == JobStatus.Queued, ct))
        {
            using (await WriteTurnAsync(ct))
            {
                await db.Set<Job>().Where(j => j.Status == JobStatus.Queued)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Running).SetProperty(j => j.StartedAt, j => j.StartedAt ?? now), ct);
            }

            feed.Notify();
        }

        var jobs = await db.Set<Job>().AsNoTracking().Where(j => j.Status == JobStatus.Running).OrderBy(j => j.Id)
            .Select(j => new { j.Id, j.Kind, j.Provider, j.Model, j.Parameters })
            .ToListAsync(ct);
        _active = [.. jobs.Select(j => j.Id)];
        foreach (var (id, stop) in _jobStops)
        {
            if (!_active.Contains(id) && _jobStops.TryRemove(id, out _))
            {
                await stop.CancelAsync();
                stop.Dispose();
            }
        }

        var started = 0;
        foreach (var job in jobs)
        {
            if (!_kinds.ContainsKey(job.Kind) || !providers.Exists(job.Provider))
            {
                var error = !_kinds.ContainsKey(job.Kind)
                    ? $"Jobs of kind {job.Kind} are not available in this installation."
                    : $"Provider '{job.Provider}' is no longer configured.";
                await db.Set<Job>().Where(j => j.Id == job.Id && j.Status == JobStatus.Running).ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, JobStatus.Failed).SetProperty(j => j.LastError, error).SetProperty(j => j.FinishedAt, now), ct);
                feed.Notify();
                continue;
            }

            var snapshot = _snapshots.GetOrAdd(job.Id, _ => new JobSnapshot(job.Id, job.Kind, job.Provider, job.Model, JobParameters.FromJson(job.Parameters)));
            var gate = gates.For(job.Provider);
            var inflight = _inflightByProvider.GetValueOrDefault(job.Provider);
            var capacity = Ahead * gate.MaxConcurrent - inflight;
            // While the provider is busy, claim in large steps rather than one item per finished request.
            if (capacity <= 0 || (inflight >= gate.MaxConcurrent && capacity < gate.MaxConcurrent))
            {
                continue;
            }

            var claimed = await ClaimAsync(db, snapshot, capacity, ct);
            foreach (var work in claimed)
            {
                _inflightByProvider.AddOrUpdate(job.Provider, 1, (_, n) => n + 1);
                _inflight[work.ItemId] = Task.Run(() => ProcessAsync(work, ct), CancellationToken.None);
            }

            started += claimed.Count;
            if (claimed.Count > 0 && access.ReportWriteSuccess())
            {
                LogStorageRecovered();
            }

            if (claimed.Count == 0 && !HasInflight(job.Id))
            {
                await CompleteIfFinishedAsync(db, job.Id, ct);
            }
        }

        return started;
    }

    /// <summary>
    /// Opens the connection and, on SQLite, lets commits skip the sync to disk. With write-ahead logging this cannot
    /// corrupt the database; a power cut may lose the last commits, whose items are still running and run again.
    /// </summary>
    private static async Task RelaxSyncAsync(TraceViewerDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous=NORMAL;", ct);
        }
    }

    private async Task<IDisposable> WriteTurnAsync(CancellationToken ct)
    {
        await _writeTurn.WaitAsync(ct);
        return new Turn(_writeTurn);
    }

    private sealed class Turn(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }

    private bool HasInflight(int jobId) => _inflightJobs.GetValueOrDefault(jobId) > 0;

    /// <summary>Claims up to <paramref name="count"/> items of a job under a fresh claim token and a lease in this instance's name.</summary>
    private async Task<List<JobWork>> ClaimAsync(TraceViewerDbContext db, JobSnapshot job, int count, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // An item this process still holds (say, waiting at a slow provider's gate, or its result waiting to be written)
        // is not taken again, whatever its lease says.
        var busy = _held.Keys.ToList();
        var token = Guid.NewGuid();
        var items = await JobClaims.ClaimAsync(db, job.Id, count, busy, now, JobLeases.Until(now, options.Value.Lease), instance.Id, token, WriteTurnAsync, ct);
        foreach (var item in items)
        {
            _held[item.Id] = token;
        }

        _inflightJobs.AddOrUpdate(job.Id, items.Count, (_, n) => n + items.Count);
        return [.. items.Select(i => new JobWork(job, i.Id, i.TraceId ?? 0, i.Position, i.SampleIndex, i.Attempts, i.Key) { ClaimToken = token })];
    }

    /// <summary>
    /// Renews the leases of the items this worker holds, <see cref="JobLeases.RenewEvery"/> by the app's clock, until the
    /// worker stops. A renewal the database refuses is tried again at the next tick; the first failure of a run and the
    /// recovery are logged.
    /// </summary>
    private async Task RenewLoopAsync(CancellationToken ct)
    {
        var renewed = clock.GetUtcNow();
        var failing = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(JobLeases.RenewalTick(options.Value.Lease, options.Value.PollInterval), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = clock.GetUtcNow();
            if (!JobLeases.RenewalDue(renewed, now, options.Value.Lease))
            {
                continue;
            }

            var ids = _held.Keys.ToList();
            try
            {
                if (ids.Count > 0)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
                    await RelaxSyncAsync(db, ct);
                    using (await WriteTurnAsync(ct))
                    {
                        await JobClaims.RenewAsync(db, ids, instance.Id, JobLeases.Until(now, options.Value.Lease), ct);
                    }
                }

                renewed = now;
                if (failing)
                {
                    failing = false;
                    LogRenewalRecovered(ids.Count);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!failing)
                {
                    failing = true;
                    if (StorageFaults.Describe(e) is { } reason)
                    {
                        access.ReportWriteFailure(reason);
                        LogRenewalStorageFault(ids.Count, reason);
                    }
                    else
                    {
                        LogRenewalFailed(ids.Count, e);
                    }
                }
            }
        }
    }

    private async Task ProcessAsync(JobWork work, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        CancellationToken stopped;
        try
        {
            stopped = _jobStops.GetOrAdd(work.Job.Id, _ => new CancellationTokenSource()).Token;
        }
        catch (ObjectDisposedException)
        {
            stopped = new CancellationToken(canceled: true);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, stopped);
        try
        {
            // Pause and cancel take effect between items: a claimed item whose job stopped goes back unstarted.
            if (!_active.Contains(work.Job.Id))
            {
                await _results.Writer.WriteAsync(new ItemReleased(work), CancellationToken.None);
                return;
            }

            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetServices<IJobItemHandler>().First(h => h.Kind == work.Job.Kind);
            var result = await handler.RunAsync(work, linked.Token);
            await _results.Writer.WriteAsync(new ItemDone(work, result, clock.GetElapsedTime(started).TotalMilliseconds), CancellationToken.None);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The host is stopping: the item goes back unstarted, for this or another instance to run.
            await _results.Writer.WriteAsync(new ItemReleased(work), CancellationToken.None);
        }
        catch (OperationCanceledException) when (stopped.IsCancellationRequested)
        {
            // Paused or cancelled while waiting for the provider (or in flight, whose answer is abandoned): the item
            // goes back unstarted and runs again on resume.
            await _results.Writer.WriteAsync(new ItemReleased(work), CancellationToken.None);
        }
        catch (Exception e)
        {
            var (retryable, retryAfter) = e is ModelCallException call ? (call.Retryable, call.RetryAfter) : (true, null);
            var message = e is ModelCallException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            message = Redaction.Secrets(message, providers.Exists(work.Job.Provider) ? providers.Get(work.Job.Provider).ResolveApiKey() : null);
            if (message.Length > 2000)
            {
                message = message[..2000];
            }

            if (retryable && work.Attempt < options.Value.MaxAttempts)
            {
                var delay = Backoff.Delay(work.Attempt, options.Value.BaseBackoff, options.Value.MaxBackoff, retryAfter, Random.Shared.NextDouble());
                LogItemRetry(work.Job.Id, work.ItemId, work.Attempt, delay.TotalMilliseconds, message);
                await _results.Writer.WriteAsync(new ItemRetry(work, message, clock.GetUtcNow() + delay), CancellationToken.None);
            }
            else
            {
                LogItemFailed(work.Job.Id, work.ItemId, work.TraceId, work.Position, work.SampleIndex, work.Attempt, message);
                await _results.Writer.WriteAsync(new ItemFailed(work, message), CancellationToken.None);
            }
        }
        finally
        {
            var left = _inflightByProvider.AddOrUpdate(work.Job.Provider, 0, (_, n) => n - 1);
            var jobLeft = _inflightJobs.AddOrUpdate(work.Job.Id, 0, (_, n) => n - 1);
            _inflight.TryRemove(work.ItemId, out _);
            // Wake the scheduler when it has something to do: claim more (there is room for a block ahead of the
            // provider, or the provider is about to run dry) or finish the job; not at every item.
            var concurrency = gates.For(work.Job.Provider).MaxConcurrent;
            if (jobLeft == 0 || left == (Ahead - 1) * concurrency || left == concurrency || left == 0)
            {
                signal.Wake();
            }
        }
    }

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<ItemOutcome>();
        while (await _results.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // Results arrive one at a time: gathering them for a moment writes many per transaction.
            if (options.Value.WriteDelay > TimeSpan.Zero)
            {
                await Task.Delay(options.Value.WriteDelay, CancellationToken.None);
            }

            batch.Clear();
            while (batch.Count < options.Value.WriteBatchSize && _results.Reader.TryRead(out var outcome))
            {
                batch.Add(outcome);
            }

            await WriteOrHoldAsync(batch, stoppingToken);
        }
    }

    /// <summary>
    /// Writes a batch. While the database cannot be written (disk full, I/O error, read-only, locked) the results are
    /// held and the write retried with growing pauses, and nothing new is claimed; when the host stops first, the held
    /// items keep their leases and run again once those run out. A batch that fails otherwise is written one result at a
    /// time, and a result that still cannot be stored sends its item back to the queue with the error.
    /// </summary>
    private async Task WriteOrHoldAsync(List<ItemOutcome> batch, CancellationToken stoppingToken)
    {
        for (var failures = 1; ; failures++)
        {
            try
            {
                await WriteAsync(batch);
                Forget(batch);
                _holding = false;
                if (access.ReportWriteSuccess())
                {
                    LogStorageRecovered();
                }

                return;
            }
            catch (Exception e) when (StorageFaults.Describe(e) is { } reason)
            {
                access.ReportWriteFailure(reason);
                if (stoppingToken.IsCancellationRequested)
                {
                    LogResultsLeft(batch.Count, reason);
                    Forget(batch);
                    return;
                }

                _holding = true;
                var delay = StorageDelay(failures);
                LogWriteHeld(batch.Count, reason, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: one last attempt above, then the items are left to their leases.
                }
            }
            catch (Exception e) when (batch.Count > 1)
            {
                // One bad result must not sink the others: write them one at a time.
                LogBatchRetry(batch.Count, e.Message);
                foreach (var outcome in batch)
                {
                    await WriteOrHoldAsync([outcome], stoppingToken);
                }

                return;
            }
            catch (Exception e)
            {
                _holding = false;
                LogWriteFailed(batch[0].Work.Job.Id, batch[0].Work.ItemId, e);
                await ReturnToQueueAsync(batch[0], e);
                Forget(batch);
                return;
            }
        }
    }

    /// <summary>The items' outcomes are stored (or given up on): their leases are no longer renewed.</summary>
    private void Forget(List<ItemOutcome> batch)
    {
        foreach (var outcome in batch)
        {
            if (outcome.Work.ClaimToken is { } token)
            {
                _held.TryRemove(new KeyValuePair<long, Guid>(outcome.Work.ItemId, token));
            }
        }
    }

    private TimeSpan StorageDelay(int failures) =>
        Backoff.Delay(failures, options.Value.StorageBackoff, options.Value.MaxStorageBackoff, null, Random.Shared.NextDouble());

    /// <summary>A result that cannot be stored: its item is tried again later (or fails after its last attempt) instead of waiting out its lease.</summary>
    private async Task ReturnToQueueAsync(ItemOutcome outcome, Exception error)
    {
        if (outcome is not ItemDone done)
        {
            return;
        }

        var message = $"Storing the result failed: {error.GetType().Name}: {error.Message}";
        message = message.Length > 2000 ? message[..2000] : message;
        var work = done.Work;
        try
        {
            await WriteAsync([work.Attempt < options.Value.MaxAttempts
                ? new ItemRetry(work, message, clock.GetUtcNow() + Backoff.Delay(work.Attempt, options.Value.BaseBackoff, options.Value.MaxBackoff, null, Random.Shared.NextDouble()))
                : new ItemFailed(work, message)]);
        }
        catch (Exception e)
        {
            // Its lease runs out and it runs again.
            LogWriteFailed(work.Job.Id, work.ItemId, e);
        }
    }

    /// <summary>Writes a batch of outcomes in one transaction, then completes finished jobs and queues metric updates.</summary>
    private async Task WriteAsync(List<ItemOutcome> batch)
    {
        var ct = CancellationToken.None;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        await RelaxSyncAsync(db, ct);
        var now = clock.GetUtcNow();
        using (await WriteTurnAsync(ct))
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            // Only results whose item still carries their claim are stored: a result that arrives after its item was
            // released or claimed again (a lease that ran out) belongs to the newer attempt and is dropped.
            var held = await HeldClaimsAsync(db, batch, ct);
            var writeBatch = new JobWriteBatch(db);
            foreach (var done in batch.OfType<ItemDone>().Where(d => held.Contains(d.Work.ItemId)))
            {
                await done.Result.StageAsync(writeBatch, ct);
            }

            var added = await writeBatch.SaveAsync(ct);
            foreach (var (itemId, from, to) in writeBatch.Renumbered)
            {
                LogRenumbered(itemId, from, to);
            }

            foreach (var job in batch.GroupBy(o => o.Work.Job.Id))
            {
                await WriteJobAsync(db, job.Key, [.. job], held, now, ct);
            }

            foreach (var (traceId, count) in added)
            {
                await db.Set<Trace>().Where(t => t.Id == traceId).ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.ResampleCount, t => t.ResampleCount + count).SetProperty(t => t.HasLabelledResamples, true), ct);
            }

            await transaction.CommitAsync(ct);
        }

        foreach (var done in batch.OfType<ItemDone>())
        {
            LogItemDone(done.Work.Job.Id, done.Work.ItemId, done.Work.TraceId, done.Work.Position, done.Work.SampleIndex, done.Work.Attempt,
                done.Result.PromptTokens, done.Result.CompletionTokens, done.ElapsedMs);
        }

        var finished = batch.Where(o => o is ItemDone or ItemFailed).ToList();
        foreach (var jobId in finished.Select(o => o.Work.Job.Id).Distinct())
        {
            await CompleteIfFinishedAsync(db, jobId, ct);
        }

        feed.Notify();

        foreach (var position in finished.Where(o => _kinds.GetValueOrDefault(o.Work.Job.Kind)).Select(o => (o.Work.Job.Id, o.Work.TraceId, o.Work.Position)).Distinct())
        {
            var open = await db.Set<JobItem>().AnyAsync(i => i.JobId == position.Id && i.TraceId == position.TraceId && i.Position == position.Position
                && (i.Status == JobItemStatus.Pending || i.Status == JobItemStatus.Running), ct);
            if (!open && _recomputePending.TryAdd(position.TraceId, 0))
            {
                _recompute.Writer.TryWrite(position.TraceId);
            }
        }
    }

    /// <summary>The ids of the finished items in the batch that still carry the claim their result was made under.</summary>
    private static async Task<HashSet<long>> HeldClaimsAsync(TraceViewerDbContext db, List<ItemOutcome> batch, CancellationToken ct)
    {
        var done = batch.OfType<ItemDone>().ToList();
        if (done.Count == 0)
        {
            return [];
        }

        var ids = done.Select(d => d.Work.ItemId).ToList();
        var claims = await db.Set<JobItem>().AsNoTracking().Where(i => ids.Contains(i.Id) && i.Status == JobItemStatus.Running)
            .Select(i => new { i.Id, i.ClaimToken }).ToDictionaryAsync(i => i.Id, i => i.ClaimToken, ct);
        return [.. done.Where(d => claims.TryGetValue(d.Work.ItemId, out var token) && token == d.Work.ClaimToken).Select(d => d.Work.ItemId)];
    }

    private async Task WriteJobAsync(TraceViewerDbContext db, int jobId, List<ItemOutcome> outcomes, HashSet<long> held, DateTimeOffset now, CancellationToken ct)
    {
        var items = db.Set<JobItem>().Where(i => i.JobId == jobId && i.Status == JobItemStatus.Running);
        var done = outcomes.OfType<ItemDone>().ToList();
        var doneIds = done.Select(d => d.Work.ItemId).Where(held.Contains).ToList();
        // Done only while the item still carries this attempt's claim, checked above in the same transaction.
        var doneTokens = done.Select(d => d.Work.ClaimToken).Distinct().ToList();
        var doneCount = doneIds.Count == 0 ? 0 : await items.Where(i => doneIds.Contains(i.Id) && doneTokens.Contains(i.ClaimToken)).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.Status, JobItemStatus.Done).SetProperty(i => i.FinishedAt, now)
            .SetProperty(i => i.LeaseUntil, (DateTimeOffset?)null).SetProperty(i => i.ClaimToken, (Guid?)null), ct);
        if (doneCount != doneIds.Count)
        {
            // Another instance took an item between the check and now: write this batch again, one result at a time.
            throw new InvalidOperationException($"Job {jobId}: {doneIds.Count - doneCount} items changed hands while their results were written.");
        }

        int retries = 0, failed = 0;
        string? lastError = null;
        foreach (var outcome in outcomes)
        {
            var id = outcome.Work.ItemId;
            var claim = outcome.Work.ClaimToken;
            switch (outcome)
            {
                case ItemRetry retry:
                    DateTimeOffset? next = retry.NextAttemptAt;
                    retries += await items.Where(i => i.Id == id && i.ClaimToken == claim).ExecuteUpdateAsync(s => s
                        .SetProperty(i => i.Status, JobItemStatus.Pending).SetProperty(i => i.NextAttemptAt, next).SetProperty(i => i.LastError, retry.Error)
                        .SetProperty(i => i.LeaseUntil, (DateTimeOffset?)null).SetProperty(i => i.ClaimToken, (Guid?)null).SetProperty(i => i.LeaseOwner, (string?)null), ct);
                    lastError = retry.Error;
                    break;
                case ItemFailed failure:
                    failed += await items.Where(i => i.Id == id && i.ClaimToken == claim).ExecuteUpdateAsync(s => s
                        .SetProperty(i => i.Status, JobItemStatus.Failed).SetProperty(i => i.LastError, failure.Error).SetProperty(i => i.FinishedAt, now)
                        .SetProperty(i => i.LeaseUntil, (DateTimeOffset?)null).SetProperty(i => i.ClaimToken, (Guid?)null), ct);
                    lastError = failure.Error;
                    break;
                case ItemReleased:
                    await items.Where(i => i.Id == id && i.ClaimToken == claim).ExecuteUpdateAsync(s => s
                        .SetProperty(i => i.Status, JobItemStatus.Pending).SetProperty(i => i.Attempts, i => i.Attempts - 1)
                        .SetProperty(i => i.LeaseUntil, (DateTimeOffset?)null).SetProperty(i => i.ClaimToken, (Guid?)null).SetProperty(i => i.LeaseOwner, (string?)null), ct);
                    break;
            }
        }

        long promptTokens = done.Sum(d => (long)d.Result.PromptTokens), completionTokens = done.Sum(d => (long)d.Result.CompletionTokens);
        var callsSaved = done.Where(d => held.Contains(d.Work.ItemId)).Sum(d => (long)d.Result.CallsSaved);
        if (doneCount == 0 && retries == 0 && failed == 0 && promptTokens == 0 && completionTokens == 0)
        {
            return;
        }

        var provider = providers.Exists(outcomes[0].Work.Job.Provider) ? providers.Get(outcomes[0].Work.Job.Provider) : null;
        var cost = (double)(((provider?.InputPricePerMillion ?? 0m) * promptTokens + (provider?.OutputPricePerMillion ?? 0m) * completionTokens) / 1_000_000m);
        await db.Set<Job>().Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.DoneItems, j => j.DoneItems + doneCount)
            .SetProperty(j => j.FailedItems, j => j.FailedItems + failed)
            .SetProperty(j => j.Retries, j => j.Retries + retries)
            .SetProperty(j => j.PromptTokens, j => j.PromptTokens + promptTokens)
            .SetProperty(j => j.CompletionTokens, j => j.CompletionTokens + completionTokens)
            .SetProperty(j => j.Cost, j => j.Cost + cost)
            .SetProperty(j => j.JudgeCallsSaved, j => j.JudgeCallsSaved + callsSaved)
            .SetProperty(j => j.LastError, j => lastError ?? j.LastError), ct);
    }

    /// <summary>A running job with no pending or running items is finished: completed, or failed when nothing succeeded.</summary>
    private async Task CompleteIfFinishedAsync(TraceViewerDbContext db, int jobId, CancellationToken ct)
    {
        if (await db.Set<JobItem>().AnyAsync(i => i.JobId == jobId && (i.Status == JobItemStatus.Pending || i.Status == JobItemStatus.Running), ct))
        {
            return;
        }

        var now = clock.GetUtcNow();
        int changed;
        using (await WriteTurnAsync(ct))
        {
            changed = await db.Set<Job>().Where(j => j.Id == jobId && j.Status == JobStatus.Running).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, j => j.DoneItems == 0 && j.FailedItems > 0 ? JobStatus.Failed : JobStatus.Completed)
                .SetProperty(j => j.FinishedAt, now), ct);
        }

        if (changed > 0)
        {
            _snapshots.TryRemove(jobId, out _);
            LogJobFinished(jobId);
            feed.Notify();
            Interlocked.Exchange(ref _jobFinished, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>
    /// Recomputes traces as their positions finish, pausing after each pass for <see cref="JobsOptions.RecomputeInterval"/>
    /// or ten times the pass's duration, whichever is longer, so recomputing a large trace takes a small share of the
    /// machine while its job runs. A job finishing cuts the pause short: its traces are recomputed at once. When the
    /// host stops, the channel is completed after the last results are written and the traces still queued are
    /// recomputed before the loop ends, so a position finished just before the stop does not leave stale metrics behind.
    /// </summary>
    private async Task RecomputeLoopAsync(CancellationToken stoppingToken)
    {
        await foreach (var traceId in _recompute.Reader.ReadAllAsync(CancellationToken.None))
        {
            var finished = Volatile.Read(ref _jobFinished).Task;
            // Removed before computing, so results landing meanwhile queue one more pass.
            _recomputePending.TryRemove(traceId, out _);
            var started = clock.GetTimestamp();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<MetricsRecomputer>().RecomputeTraceAsync(traceId, CancellationToken.None);
                feed.Notify();
            }
            catch (Exception e)
            {
                LogRecomputeFailed(traceId, e);
            }

            var pause = TimeSpan.FromTicks(Math.Max(options.Value.RecomputeInterval.Ticks, 10 * clock.GetElapsedTime(started).Ticks));
            if (!stoppingToken.IsCancellationRequested && !finished.IsCompleted)
            {
                // Results landing meanwhile only mark their trace pending again; one later pass covers them all.
                try
                {
                    await await Task.WhenAny(Task.Delay(pause, stoppingToken), finished);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: the traces still queued are recomputed without waiting.
                }
            }
        }
    }

    public override void Dispose()
    {
        _results.Writer.TryComplete();
        _writeTurn.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs do not run: the database is open read-only ({Reason})")]
    private partial void LogReadOnly(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Jobs worker started as instance {Instance}; its claims hold for {LeaseSeconds} s unless renewed")]
    private partial void LogStarted(string instance, double leaseSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs worker: could not renew the leases of {Count} items ({Reason}); trying again, and other instances may take them once they run out")]
    private partial void LogRenewalStorageFault(int count, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Jobs worker: renewing the leases of {Count} items failed; trying again, and other instances may take them once they run out")]
    private partial void LogRenewalFailed(int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Jobs worker: leases renewed again ({Count} items)")]
    private partial void LogRenewalRecovered(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Jobs worker: the database cannot be written ({Reason}); trying again in {DelayMs} ms")]
    private partial void LogScheduleStorageFault(string reason, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Jobs worker: scheduling failed; trying again in {DelayMs} ms")]
    private partial void LogScheduleFailed(Exception exception, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Jobs worker: could not store {Count} results ({Reason}); holding them, claiming nothing new, trying again in {DelayMs} ms")]
    private partial void LogWriteHeld(int count, string reason, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs worker: stopping with {Count} results not stored ({Reason}); their items run again once their leases run out")]
    private partial void LogResultsLeft(int count, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Jobs worker: the database can be written again")]
    private partial void LogStorageRecovered();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job item {ItemId}: sample {From} was taken by another source meanwhile; its result is stored as sample {To}")]
    private partial void LogRenumbered(long itemId, int from, int to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} item {ItemId} done (trace {TraceId}, position {Position}, sample {SampleIndex}, attempt {Attempt}, {PromptTokens}+{CompletionTokens} tokens, {ElapsedMs} ms)")]
    private partial void LogItemDone(int jobId, long itemId, int traceId, int position, int sampleIndex, int attempt, int promptTokens, int completionTokens, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} item {ItemId} attempt {Attempt} failed, retrying in {DelayMs} ms: {Error}")]
    private partial void LogItemRetry(int jobId, long itemId, int attempt, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} item {ItemId} failed for good (trace {TraceId}, position {Position}, sample {SampleIndex}, attempt {Attempt}): {Error}")]
    private partial void LogItemFailed(int jobId, long itemId, int traceId, int position, int sampleIndex, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} finished")]
    private partial void LogJobFinished(int jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} job results together failed ({Error}); writing them one at a time")]
    private partial void LogBatchRetry(int count, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store the result of job {JobId} item {ItemId}; the item goes back to the queue")]
    private partial void LogWriteFailed(int jobId, long itemId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recomputing metrics of trace {TraceId} failed")]
    private partial void LogRecomputeFailed(int traceId, Exception exception);
}
