using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Tags;

/// <summary>What one audited change did to one (sentence, tag) of one annotator.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TagAction>))]
public enum TagAction
{
    /// <summary>The tag was put on the sentence.</summary>
    Add,

    /// <summary>The tag was taken off.</summary>
    Remove,

    /// <summary>Only the note changed.</summary>
    Note,
}

/// <summary>
/// One change to one annotator's tag on one sentence, with the state before and after. Every row written by one call of
/// <see cref="TagWriter"/> shares a <see cref="ChangeId"/>, which is what "undo" takes back. The sentence is kept as an id
/// without a foreign key, so the history outlives a trace that is imported again with new sentence rows (see
/// <see cref="TagPreservation"/>, which moves it to them).
/// </summary>
internal sealed class TagAudit
{
    public long Id { get; set; }

    public Guid ChangeId { get; set; }

    public AnnotatorKind AnnotatorKind { get; set; }

    public required string Annotator { get; set; }

    public DateTimeOffset At { get; set; }

    public int SentenceId { get; set; }

    public int TagId { get; set; }

    public TagAction Action { get; set; }

    /// <summary>Whether the annotator carried the tag on the sentence before and after.</summary>
    public bool Before { get; set; }

    public bool After { get; set; }

    public string? NoteBefore { get; set; }

    public string? NoteAfter { get; set; }

    /// <summary>The change that took this one back; null while it stands.</summary>
    public Guid? UndoneBy { get; set; }

    /// <summary>This row was written by an undo (undo does not undo undos).</summary>
    public bool IsUndo { get; set; }
}

internal sealed class TagAuditConfiguration : IEntityTypeConfiguration<TagAudit>
{
    public void Configure(EntityTypeBuilder<TagAudit> builder)
    {
        builder.Property(a => a.AnnotatorKind).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Annotator).HasMaxLength(TagLimits.MaxAnnotatorLength);
        builder.Property(a => a.Action).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.NoteBefore).HasMaxLength(TagLimits.MaxNoteLength);
        builder.Property(a => a.NoteAfter).HasMaxLength(TagLimits.MaxNoteLength);
        builder.HasOne<Tag>().WithMany().HasForeignKey(a => a.TagId).OnDelete(DeleteBehavior.Restrict);
        // An annotator's history, newest last, for undo.
        builder.HasIndex(a => new { a.AnnotatorKind, a.Annotator, a.Id });
        builder.HasIndex(a => a.ChangeId);
        builder.HasIndex(a => a.SentenceId);
    }
}
