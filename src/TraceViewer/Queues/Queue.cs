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

    public List<QueueItem> Items { get; set; } = [];
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
