using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Jobs;

internal enum JobKind
{
    Resample,
    Embed,
    Judge,
    Collect,
    Tag,
}

internal enum JobStatus
{
    Queued,
    Running,
    Paused,
    Cancelled,
    Completed,
    Failed,
}

internal enum JobItemStatus
{
    Pending,
    Running,
    Done,
    Failed,
}

/// <summary>A unit of background work (resampling a trace, embedding sentences...); the row is the truth, its items are the work.</summary>
internal sealed class Job
{
    public int Id { get; set; }

    public JobKind Kind { get; set; }

    public JobStatus Status { get; set; }

    public int? TraceId { get; set; }

    public int? DatasetId { get; set; }

    /// <summary>Name of the configured provider (Providers:&lt;name&gt;).</summary>
    public required string Provider { get; set; }

    public required string Model { get; set; }

    /// <summary>The request as stored: positions, n, sampling parameters, and the provider's prefix mode, flag, template and endpoint.</summary>
    public required string Parameters { get; set; }

    public int TotalItems { get; set; }

    public int DoneItems { get; set; }

    public int FailedItems { get; set; }

    /// <summary>Attempts that failed with a retryable error and were tried again.</summary>
    public int Retries { get; set; }

    public long PromptTokens { get; set; }

    public long CompletionTokens { get; set; }

    /// <summary>Estimated cost in dollars from the provider's prices; 0 when none are configured.</summary>
    public double Cost { get; set; }

    /// <summary>Judge calls not made because an early stop found the majority decided.</summary>
    public long JudgeCallsSaved { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>The client's Idempotency-Key of the request that created the job; a repeat of it returns this job.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>Hash of that request, so a key reused for a different request is refused rather than answered with this job.</summary>
    public string? RequestHash { get; set; }
}

/// <summary>One request's worth of a job: for resampling, sample <see cref="SampleIndex"/> at <see cref="Position"/> of a trace.</summary>
internal sealed class JobItem
{
    public long Id { get; set; }

    public int JobId { get; set; }

    /// <summary>The trace the item works on; null for items that create their trace (collecting base traces).</summary>
    public int? TraceId { get; set; }

    /// <summary>
    /// Idempotency key of an item that is not identified by (trace, position, sample index), e.g. the collect query
    /// key <c>collect/{variant}/{tier}/{row}/{sample}</c>; null otherwise.
    /// </summary>
    public string? Key { get; set; }

    public int Position { get; set; }

    public int SampleIndex { get; set; }

    public JobItemStatus Status { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    /// <summary>Earliest time of the next attempt after a retryable failure.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>A running item belongs to its claimer until then; afterwards any worker may claim it again.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Identifies the claim that holds the lease, so a claimer reads back exactly the rows it won.</summary>
    public Guid? ClaimToken { get; set; }

    /// <summary>
    /// The worker instance (<see cref="JobInstance"/>) that holds the lease, and renews it while it works; on a finished
    /// item, the one that stored its outcome.
    /// </summary>
    public string? LeaseOwner { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> builder)
    {
        builder.Property(j => j.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(j => j.Status);
        builder.HasIndex(j => j.TraceId);
        builder.Property(j => j.IdempotencyKey).HasMaxLength(JobService.MaxIdempotencyKeyLength);
        builder.Property(j => j.RequestHash).HasMaxLength(64);
        // Two instances racing on one key cannot both insert a job.
        builder.HasIndex(j => j.IdempotencyKey).IsUnique();
        builder.HasOne<Traces.Trace>().WithMany().HasForeignKey(j => j.TraceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Datasets.Dataset>().WithMany().HasForeignKey(j => j.DatasetId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class JobItemConfiguration : IEntityTypeConfiguration<JobItem>
{
    private static readonly Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long> UtcTicks =
        new(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));

    public void Configure(EntityTypeBuilder<JobItem> builder)
    {
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
        // Stored as UTC ticks so that claiming compares them in SQL on SQLite as well as PostgreSQL.
        builder.Property(i => i.LeaseUntil).HasConversion(UtcTicks);
        builder.Property(i => i.NextAttemptAt).HasConversion(UtcTicks);
        builder.HasIndex(i => new { i.JobId, i.TraceId, i.Position, i.SampleIndex }).IsUnique();
        builder.Property(i => i.Key).HasMaxLength(400);
        builder.Property(i => i.LeaseOwner).HasMaxLength(JobInstance.MaxIdLength);
        builder.HasIndex(i => new { i.JobId, i.Key }).IsUnique();
        // Claiming looks for pending or lease-expired items of a job in id order.
        builder.HasIndex(i => new { i.JobId, i.Status, i.Id });
        builder.HasIndex(i => i.ClaimToken);
        builder.HasIndex(i => new { i.Status, i.LeaseUntil });
        builder.HasOne<Job>().WithMany().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Traces.Trace>().WithMany().HasForeignKey(i => i.TraceId).OnDelete(DeleteBehavior.Cascade);
    }
}
