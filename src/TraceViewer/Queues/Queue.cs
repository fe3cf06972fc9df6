using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TraceViewer.Datasets;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Queues;

/// <summary>A tagging queue: sentences chosen by a filter, dealt to annotators, to be tagged with one taxonomy.</summary>
internal sealed class Queue
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public int DatasetId { get; set; }

    public int TaxonomyId { get; set; }

    /// <summary>The outcome whose effects chose the sentences; null when the queue holds every sentence.</summary>
    public int? OutcomeId { get; set; }

    /// <summary>Sentences per trace by effect; null for all.</summary>
    public int? TopK { get; set; }

    /// <summary>How many annotators get each item.</summary>
    public int Overlap { get; set; }

    /// <summary>The filter as given (condition, traces), for the queue's page.</summary>
    public string? Filter { get; set; }

    /// <summary>
    /// The annotators the queue deals to, ordered by id and newline separated; null for a queue made before they were
    /// kept, whose annotators are then those of its assignments.
    /// </summary>
    public string? Annotators { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Who last changed the annotators or the overlap (and so re-dealt the open items); null while never changed.</summary>
    public string? ChangedBy { get; set; }

    public DateTimeOffset? ChangedAt { get; set; }

    /// <summary>
    /// Counts the changes of the annotators and overlap: a re-deal writes only over the version it read, so two re-deals
    /// of one queue end as if made in turn.
    /// </summary>
    public int Version { get; set; }

    public List<QueueItem> Items { get; set; } = [];
}

internal enum QueueAuditAction
{
    /// <summary>The queue was made and its items dealt.</summary>
    Created,

    /// <summary>Its annotators or overlap were changed and the open items dealt again.</summary>
    Redealt,
}

/// <summary>
/// One change of a queue's deal, kept for its history: who, when, the annotators and overlap before and after, and how
/// many assignments were given, taken away and kept. Written in the transaction of the change.
/// </summary>
internal sealed class QueueAudit
{
    public long Id { get; set; }

    public int QueueId { get; set; }

    public QueueAuditAction Action { get; set; }

    public required string By { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The annotators before (ids, ordered, newline separated); null for <see cref="QueueAuditAction.Created"/>.</summary>
    public string? AnnotatorsBefore { get; set; }

    public required string AnnotatorsAfter { get; set; }

    public int? OverlapBefore { get; set; }

    public int OverlapAfter { get; set; }

    public int Given { get; set; }

    public int Taken { get; set; }

    public int Kept { get; set; }
}

internal sealed class QueueAuditConfiguration : IEntityTypeConfiguration<QueueAudit>
{
    public void Configure(EntityTypeBuilder<QueueAudit> builder)
    {
        builder.Property(a => a.Action).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.By).HasMaxLength(TagLimits.MaxAnnotatorLength);
        builder.HasOne<Queue>().WithMany().HasForeignKey(a => a.QueueId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.QueueId, a.Id });
    }
}

/// <summary>One sentence of a queue, in queue order.</summary>
internal sealed class QueueItem
{
    public int Id { get; set; }

    public int QueueId { get; set; }

    public int Position { get; set; }

    public int SentenceId { get; set; }

    public int TraceId { get; set; }

    public int SentenceIndex { get; set; }

    public List<QueueAssignment> Assignments { get; set; } = [];
}

internal enum AssignmentState
{
    Open,
    Done,
    Skipped,
}

/// <summary>One item given to one annotator, with where the annotator stands on it.</summary>
internal sealed class QueueAssignment
{
    public long Id { get; set; }

    public int QueueItemId { get; set; }

    public QueueItem? Item { get; set; }

    public required string Annotator { get; set; }

    public AssignmentState State { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }
}

internal sealed class QueueConfiguration : IEntityTypeConfiguration<Queue>
{
    public const int MaxNameLength = 200;

    public void Configure(EntityTypeBuilder<Queue> builder)
    {
        builder.Property(q => q.Name).HasMaxLength(MaxNameLength);
        builder.Property(q => q.Filter).HasMaxLength(4000);
        builder.Property(q => q.CreatedBy).HasMaxLength(TagLimits.MaxAnnotatorLength);
        builder.Property(q => q.ChangedBy).HasMaxLength(TagLimits.MaxAnnotatorLength);
        builder.Property(q => q.Version).IsConcurrencyToken();
        builder.HasOne<Dataset>().WithMany().HasForeignKey(q => q.DatasetId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Taxonomy>().WithMany().HasForeignKey(q => q.TaxonomyId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(q => q.Items).WithOne().HasForeignKey(i => i.QueueId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class QueueItemConfiguration : IEntityTypeConfiguration<QueueItem>
{
    public void Configure(EntityTypeBuilder<QueueItem> builder)
    {
        builder.HasOne<Sentence>().WithMany().HasForeignKey(i => i.SentenceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(i => new { i.QueueId, i.Position }).IsUnique();
        builder.HasIndex(i => i.SentenceId);
        builder.HasMany(i => i.Assignments).WithOne(a => a.Item).HasForeignKey(a => a.QueueItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class QueueAssignmentConfiguration : IEntityTypeConfiguration<QueueAssignment>
{
    public void Configure(EntityTypeBuilder<QueueAssignment> builder)
    {
        builder.Property(a => a.Annotator).HasMaxLength(TagLimits.MaxAnnotatorLength);
        builder.Property(a => a.State).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(a => new { a.QueueItemId, a.Annotator }).IsUnique();
        builder.HasIndex(a => a.Annotator);
    }
}
