using System.ComponentModel.DataAnnotations;

namespace TraceViewer.Jobs;

/// <summary>How the background worker runs jobs, under <c>Jobs</c>.</summary>
internal sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>Runs the background worker; off for hosts that only serve pages.</summary>
    public bool WorkerEnabled { get; set; } = true;

    /// <summary>Attempts per item before it is marked failed.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Time allowed for one model request before it counts as a (retryable) timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>First retry delay; doubles with each attempt, with full jitter, up to <see cref="MaxBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a claim holds an item for its worker, which renews it three times per lease while it works on the item.
    /// The items of a worker that was killed are claimed again by any worker this long after its last renewal at most.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often an idle worker looks for work it was not told about (retries coming due, other instances' jobs).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Least pause after each metrics recompute, so a trace whose positions finish quickly is recomputed once per pause,
    /// not per position. The pause grows to ten times the recompute's duration for large traces; a finishing job ends it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RecomputeInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the writer gathers results before writing them in one transaction (unless a full batch is waiting).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan WriteDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// First pause before writing again when the database cannot be written (disk full, I/O error, locked); it doubles
    /// up to <see cref="MaxStorageBackoff"/>. Results are held meanwhile and nothing new is claimed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan StorageBackoff { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxStorageBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Results written per database transaction at most.</summary>
    [Range(1, 10_000)]
    public int WriteBatchSize { get; set; } = 256;

    /// <summary>
    /// How often open pages look for job progress in the database while anyone watches (one query for all of them).
    /// This instance's own changes show at once; this bounds the delay for jobs run by another instance.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);
}
