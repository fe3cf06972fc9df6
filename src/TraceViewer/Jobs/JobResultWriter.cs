using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Data;
using TraceViewer.Providers;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>
/// Stores the outcomes of items in batches, one transaction each: results with their idempotency keys, retries,
/// failures and released items, the job's counters and cost. Only results whose item still carries the claim they were
/// made under are stored. Then finished jobs are completed and traces whose positions finished are queued for recompute.
/// </summary>
internal sealed partial class JobResultWriter(
    IServiceScopeFactory scopes,
    ProviderRegistry providers,
    DatabaseAccess access,
    JobWriteTurn turn,
    HeldClaims held,
    JobCompletion completion,
    TraceRecomputeQueue recompute,
    InstalledJobKinds kinds,
    JobProgressFeed feed,
    JobMetrics metrics,
    IOptions<JobsOptions> options,
    TimeProvider clock,
    ILogger<JobResultWriter> logger)
{
    private readonly Channel<JobItemOutcome> _outcomes = Channel.CreateUnbounded<JobItemOutcome>(new UnboundedChannelOptions { SingleReader = true });
    // True while the writer holds results it could not store (a full or failing disk): nothing new is claimed meanwhile.
    private volatile bool _holding;

    public bool Holding => _holding;

    public ValueTask PostAsync(JobItemOutcome outcome) => _outcomes.Writer.WriteAsync(outcome, CancellationToken.None);

    /// <summary>No more outcomes come: <see cref="RunAsync"/> ends once the posted ones are written.</summary>
    public void Complete() => _outcomes.Writer.TryComplete();

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var batch = new List<JobItemOutcome>();
        while (await _outcomes.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // Results arrive one at a time: gathering them for a moment writes many per transaction.
            if (options.Value.WriteDelay > TimeSpan.Zero)
            {
                await Task.Delay(options.Value.WriteDelay, CancellationToken.None);
            }

            batch.Clear();
            while (batch.Count < options.Value.WriteBatchSize && _outcomes.Reader.TryRead(out var outcome))
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
    public async Task WriteOrHoldAsync(List<JobItemOutcome> batch, CancellationToken stoppingToken)
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
                var delay = JobFailures.StorageDelay(options.Value, failures);
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
    private void Forget(List<JobItemOutcome> batch)
    {
        foreach (var outcome in batch)
        {
            held.Forget(outcome.Work);
        }
    }

    /// <summary>A result that cannot be stored: its item is tried again later (or fails after its last attempt) instead of waiting out its lease.</summary>
    private async Task ReturnToQueueAsync(JobItemOutcome outcome, Exception error)
    {
        if (outcome is not ItemDone done)
        {
            return;
        }

        var message = JobFailures.Cut($"Storing the result failed: {error.GetType().Name}: {error.Message}");
        var work = done.Work;
        try
        {
            await WriteAsync([JobFailures.Next(work, message, retryable: true, retryAfter: null, options.Value, clock.GetUtcNow(), Random.Shared.NextDouble())]);
        }
        catch (Exception e)
        {
            // Its lease runs out and it runs again.
            LogWriteFailed(work.Job.Id, work.ItemId, e);
        }
    }

    /// <summary>Writes a batch of outcomes in one transaction, then completes finished jobs and queues metric updates.</summary>
    public async Task WriteAsync(List<JobItemOutcome> batch)
    {
        var ct = CancellationToken.None;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        await JobWriteTurn.RelaxSyncAsync(db, ct);
        var now = clock.GetUtcNow();
        List<ItemDone> stored;
        var written = new List<(JobSnapshot Job, (int Done, int Failed, int Retried) Counts)>();
        using (await turn.TakeAsync(ct))
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            // Only results whose item still carries their claim are stored: a result that arrives after its item was
            // released or claimed again (a lease that ran out) belongs to the newer attempt and is dropped.
            var claimed = await HeldClaimsAsync(db, batch, ct);
            stored = [.. batch.OfType<ItemDone>().Where(d => claimed.Contains(d.Work.ItemId))];
            var writeBatch = new JobWriteBatch(db);
            foreach (var done in stored)
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
                written.Add((job.First().Work.Job, await WriteJobAsync(db, job.Key, [.. job], claimed, now, ct)));
            }

            foreach (var (traceId, count) in added)
            {
                await db.Set<Trace>().Where(t => t.Id == traceId).ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.ResampleCount, t => t.ResampleCount + count).SetProperty(t => t.HasLabelledResamples, true), ct);
            }

            await transaction.CommitAsync(ct);
        }

        foreach (var (job, counts) in written)
        {
            metrics.Written(job, counts.Done, counts.Failed, counts.Retried);
        }

        foreach (var done in batch.OfType<ItemDone>())
        {
            LogItemDone(done.Work.Job.Id, done.Work.ItemId, done.Work.TraceId, done.Work.Position, done.Work.SampleIndex, done.Work.Attempt,
                done.Result.PromptTokens, done.Result.CompletionTokens, done.ElapsedMs);
        }

        var finished = batch.Where(o => o is ItemDone or ItemFailed).ToList();
        foreach (var jobId in finished.Select(o => o.Work.Job.Id).Distinct())
        {
            await completion.CompleteIfFinishedAsync(db, jobId, ct);
        }

        feed.Notify();

        foreach (var position in finished.Where(o => kinds.RecomputesMetrics(o.Work.Job.Kind)).Select(o => (o.Work.Job.Id, o.Work.TraceId, o.Work.Position)).Distinct())
        {
            var open = await db.Set<JobItem>().AnyAsync(i => i.JobId == position.Id && i.TraceId == position.TraceId && i.Position == position.Position
                && (i.Status == JobItemStatus.Pending || i.Status == JobItemStatus.Running), ct);
            if (!open)
            {
                recompute.Enqueue(position.TraceId);
            }
        }
    }

    /// <summary>The ids of the finished items in the batch that still carry the claim their result was made under.</summary>
    private static async Task<HashSet<long>> HeldClaimsAsync(TraceViewerDbContext db, List<JobItemOutcome> batch, CancellationToken ct)
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

    private async Task<(int Done, int Failed, int Retried)> WriteJobAsync(TraceViewerDbContext db, int jobId, List<JobItemOutcome> outcomes, HashSet<long> claimed, DateTimeOffset now, CancellationToken ct)
    {
        var items = db.Set<JobItem>().Where(i => i.JobId == jobId && i.Status == JobItemStatus.Running);
        var done = outcomes.OfType<ItemDone>().ToList();
        var doneIds = done.Select(d => d.Work.ItemId).Where(claimed.Contains).ToList();
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
        var callsSaved = done.Where(d => claimed.Contains(d.Work.ItemId)).Sum(d => (long)d.Result.CallsSaved);
        if (doneCount == 0 && retries == 0 && failed == 0 && promptTokens == 0 && completionTokens == 0)
        {
            return (0, 0, 0);
        }

        var job = outcomes[0].Work.Job;
        var cost = JobCost.Dollars(done.SelectMany(d => d.Result.Usage(job.Provider, job.Model)), providers.PricesOf);
        await db.Set<Job>().Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.DoneItems, j => j.DoneItems + doneCount)
            .SetProperty(j => j.FailedItems, j => j.FailedItems + failed)
            .SetProperty(j => j.Retries, j => j.Retries + retries)
            .SetProperty(j => j.PromptTokens, j => j.PromptTokens + promptTokens)
            .SetProperty(j => j.CompletionTokens, j => j.CompletionTokens + completionTokens)
            .SetProperty(j => j.Cost, j => j.Cost + cost)
            .SetProperty(j => j.JudgeCallsSaved, j => j.JudgeCallsSaved + callsSaved)
            .SetProperty(j => j.LastError, j => lastError ?? j.LastError), ct);
        return (doneCount, failed, retries);
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} job results together failed ({Error}); writing them one at a time")]
    private partial void LogBatchRetry(int count, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store the result of job {JobId} item {ItemId}; the item goes back to the queue")]
    private partial void LogWriteFailed(int jobId, long itemId, Exception exception);
}

/// <summary>
/// A job's cost in dollars: every call priced at the prices of the provider and model it went to (a resample job's
/// judge on another provider at the judge's), 0 for prices not configured.
/// </summary>
internal static class JobCost
{
    public static double Dollars(decimal? inputPerMillion, decimal? outputPerMillion, long promptTokens, long completionTokens) =>
        (double)(((inputPerMillion ?? 0m) * promptTokens + (outputPerMillion ?? 0m) * completionTokens) / 1_000_000m);

    /// <summary>The cost of calls by provider and model, each at the prices <paramref name="prices"/> gives for them.</summary>
    public static double Dollars(IEnumerable<ModelUsage> usage, Func<string, string, (decimal? Input, decimal? Output)> prices) =>
        usage.GroupBy(u => (u.Provider, u.Model)).Sum(g =>
        {
            var (input, output) = prices(g.Key.Provider, g.Key.Model);
            return Dollars(input, output, g.Sum(u => (long)u.PromptTokens), g.Sum(u => (long)u.CompletionTokens));
        });
}
