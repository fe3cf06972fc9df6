namespace TraceViewer.Jobs;

/// <summary>
/// What the jobs worker last said about itself, for the readiness check. Its scheduling loop beats once a round, and a
/// round takes at most a poll interval (<see cref="JobsOptions.PollInterval"/>) or a storage pause
/// (<see cref="JobsOptions.MaxStorageBackoff"/>), so an old beat means the loop is stuck.
/// </summary>
internal sealed class JobWorkerHeartbeat(TimeProvider clock)
{
    private long _lastBeat;
    private long _rounds;
    private volatile string? _offReason;
    private volatile int _state = (int)WorkerState.Starting;

    public WorkerState State => (WorkerState)_state;

    /// <summary>Why the worker does not run, when <see cref="State"/> is <see cref="WorkerState.Off"/>.</summary>
    public string? OffReason => _offReason;

    /// <summary>Scheduling rounds begun so far: once two more have begun, a whole round ran in between.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    public void Beat()
    {
        Interlocked.Exchange(ref _lastBeat, clock.GetUtcNow().UtcTicks);
        Interlocked.Increment(ref _rounds);
        _state = (int)WorkerState.Running;
    }

    /// <summary>The worker does not run, on purpose: turned off by a setting, or the database is read-only.</summary>
    public void Off(string reason)
    {
        _offReason = reason;
        _state = (int)WorkerState.Off;
    }

    public void Stopped() => _state = (int)WorkerState.Stopped;

    /// <summary>How long since the last beat, or null before the first.</summary>
    public TimeSpan? Age => Interlocked.Read(ref _lastBeat) is var ticks and > 0 ? clock.GetUtcNow() - new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>A beat older than this is a stall: ten poll intervals or two storage pauses, and at least 30 s.</summary>
    public static TimeSpan StallAfter(JobsOptions options) =>
        new[] { TimeSpan.FromSeconds(30), options.PollInterval * 10, options.MaxStorageBackoff * 2 }.Max();
}

internal enum WorkerState
{
    Starting,
    Running,
    Off,
    Stopped,
}
