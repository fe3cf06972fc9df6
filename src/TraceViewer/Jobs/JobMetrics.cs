using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Data;
using TraceViewer.Telemetry;

namespace TraceViewer.Jobs;

/// <summary>
/// The jobs worker's instruments (meter <see cref="AppTelemetry.JobsMeterName"/>): items done, failed and retried per
/// job kind and provider, the duration of every model call per provider, model and outcome, the tokens it took, and the
/// queue depth. Without a meter listener (telemetry is off by default) recording costs a check, and the queue is never
/// counted. Tags carry kinds, names and outcomes only, never a prompt, an output or a key.
/// </summary>
internal sealed class JobMetrics
{
    /// <summary>Bucket bounds in seconds for model calls, which take from tens of milliseconds to minutes.</summary>
    internal static readonly IReadOnlyList<double> DurationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250];

    private static readonly string[] KindNames = [.. Enum.GetValues<JobKind>().Select(k => k.ToString().ToLowerInvariant())];

    private readonly Counter<long> _done;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _tokens;
    private readonly ObservableGauge<long> _queue;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _queueRefresh;
    private long _pending;
    private long _running;
    private long _countedAt = -1;

    public JobMetrics(IMeterFactory meters, TimeProvider clock, IOptions<JobsOptions> options)
    {
        _clock = clock;
        // The scheduler counts the queue at most this often, and only while something listens.
        _queueRefresh = options.Value.PollInterval * 5;
        var meter = meters.Create(AppTelemetry.JobsMeterName);
        _done = meter.CreateCounter<long>("traceviewer.job.items.done", "{item}", "Job items whose result was stored");
        _failed = meter.CreateCounter<long>("traceviewer.job.items.failed", "{item}", "Job items that failed for good");
        _retried = meter.CreateCounter<long>("traceviewer.job.items.retried", "{item}", "Failed attempts of job items that will be tried again");
        _duration = meter.CreateHistogram("traceviewer.provider.request.duration", "s", "Duration of one model call (after waiting for the provider's limits)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _tokens = meter.CreateCounter<long>("traceviewer.provider.tokens", "{token}", "Tokens the provider reported, by type (input or output)");
        _queue = meter.CreateObservableGauge("traceviewer.job.queue.items", ObserveQueue, "{item}",
            "Job items waiting (pending, paused jobs included) and running, as last counted by the scheduler");
    }

    public static string KindName(JobKind kind) => KindNames[(int)kind];

    /// <summary>Counts the outcomes of one job stored in a committed batch.</summary>
    public void Written(JobSnapshot job, int done, int failed, int retried)
    {
        if (done > 0)
        {
            _done.Add(done, Tags(job));
        }

        if (failed > 0)
        {
            _failed.Add(failed, Tags(job));
        }

        if (retried > 0)
        {
            _retried.Add(retried, Tags(job));
        }
    }

    /// <summary>One model call: <paramref name="outcome"/> is ok, error or cancelled; <paramref name="errorType"/> the status code or kind of failure.</summary>
    public void ProviderCall(string provider, string model, string outcome, string? errorType, TimeSpan elapsed, ModelReply? reply)
    {
        if (_duration.Enabled)
        {
            var tags = new TagList { { "provider", provider }, { "model", model }, { "outcome", outcome } };
            if (errorType is not null)
            {
                tags.Add("error.type", errorType);
            }

            _duration.Record(elapsed.TotalSeconds, tags);
        }

        if (reply is not null && _tokens.Enabled)
        {
            _tokens.Add(reply.PromptTokens, new TagList { { "provider", provider }, { "model", model }, { "token.type", "input" } });
            _tokens.Add(reply.CompletionTokens, new TagList { { "provider", provider }, { "model", model }, { "token.type", "output" } });
        }
    }

    /// <summary>
    /// Counts pending and running items in one grouped query on the (Status, LeaseUntil) index, when a meter listens and
    /// the last count is older than five poll intervals; otherwise does nothing.
    /// </summary>
    public async Task CountQueueIfDueAsync(TraceViewerDbContext db, CancellationToken ct)
    {
        var last = Interlocked.Read(ref _countedAt);
        if (!_queue.Enabled || (last >= 0 && _clock.GetElapsedTime(last) < _queueRefresh))
        {
            return;
        }

        var counts = await db.Set<JobItem>().AsNoTracking()
            .Where(i => i.Status == JobItemStatus.Pending || i.Status == JobItemStatus.Running)
            .GroupBy(i => i.Status).Select(g => new { Status = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        Interlocked.Exchange(ref _pending, counts.Where(c => c.Status == JobItemStatus.Pending).Sum(c => c.Count));
        Interlocked.Exchange(ref _running, counts.Where(c => c.Status == JobItemStatus.Running).Sum(c => c.Count));
        Interlocked.Exchange(ref _countedAt, _clock.GetTimestamp());
    }

    private IEnumerable<Measurement<long>> ObserveQueue()
    {
        if (Interlocked.Read(ref _countedAt) < 0)
        {
            return [];
        }

        return
        [
            new Measurement<long>(Interlocked.Read(ref _pending), new KeyValuePair<string, object?>("state", "pending")),
            new Measurement<long>(Interlocked.Read(ref _running), new KeyValuePair<string, object?>("state", "running")),
        ];
    }

    private static TagList Tags(JobSnapshot job) => new() { { "job.kind", KindName(job.Kind) }, { "provider", job.Provider } };
}
