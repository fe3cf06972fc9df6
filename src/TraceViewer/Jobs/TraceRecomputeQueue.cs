using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using TraceViewer.MetricSets;

namespace TraceViewer.Jobs;

/// <summary>
/// Traces whose positions finished, waiting to have their metrics recomputed; a trace queued again before its pass
/// starts is recomputed once.
/// </summary>
internal sealed partial class TraceRecomputeQueue(
    IServiceScopeFactory scopes, JobCompletion completion, JobProgressFeed feed, IOptions<JobsOptions> options, TimeProvider clock, ILogger<TraceRecomputeQueue> logger)
{
    private readonly Channel<int> _queue = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<int, byte> _pending = new();

    /// <summary>Queues the trace unless it is already waiting; false when it was.</summary>
    public bool Enqueue(int traceId) => _pending.TryAdd(traceId, 0) && _queue.Writer.TryWrite(traceId);

    /// <summary>No more traces come: <see cref="RunAsync"/> ends once the queued ones are recomputed.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>
    /// Recomputes traces as their positions finish, pausing after each pass for <see cref="JobsOptions.RecomputeInterval"/>
    /// or ten times the pass's duration, whichever is longer, so recomputing a large trace takes a small share of the
    /// machine while its job runs. A job finishing cuts the pause short: its traces are recomputed at once. When the
    /// host stops, the queue is completed after the last results are written and the traces still queued are
    /// recomputed before the loop ends, so a position finished just before the stop does not leave stale metrics behind.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await foreach (var traceId in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            var finished = completion.NextFinish;
            // Removed before computing, so results landing meanwhile queue one more pass.
            _pending.TryRemove(traceId, out _);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Recomputing metrics of trace {TraceId} failed")]
    private partial void LogRecomputeFailed(int traceId, Exception exception);
}
