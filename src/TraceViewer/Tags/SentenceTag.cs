using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TraceViewer.Traces;

namespace TraceViewer.Tags;

/// <summary>Who put a tag on a sentence.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnnotatorKind>))]
public enum AnnotatorKind
{
    /// <summary>A person, by user id ("local" while the app has no accounts).</summary>
    Person,

    /// <summary>Tags that came with imported data, by the data's source.</summary>
    Import,

    /// <summary>A model, by the job or model name.</summary>
    Model,
}

/// <summary>
/// One tag on one sentence by one annotator, with an optional note. Unique per (sentence, tag, annotator kind,
/// annotator): annotators never share rows, so each one's tags can be compared with another's.
/// </summary>
internal sealed class SentenceTag
{
    public long Id { get; set; }

    public int SentenceId { get; set; }

    public int TagId { get; set; }

    public Tag? Tag { get; set; }

    public AnnotatorKind AnnotatorKind { get; set; }

    /// <summary>A person's user id, a model's job or model name, or an import's source.</summary>
    public required string Annotator { get; set; }

    public string? Note { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SentenceTagConfiguration : IEntityTypeConfiguration<SentenceTag>
{
    public void Configure(EntityTypeBuilder<SentenceTag> builder)
    {
        builder.Property(t => t.AnnotatorKind).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.Annotator).HasMaxLength(TagLimits.MaxAnnotatorLength);
        builder.Property(t => t.Note).HasMaxLength(TagLimits.MaxNoteLength);
        builder.HasOne<Sentence>().WithMany().HasForeignKey(t => t.SentenceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(t => t.Tag).WithMany().HasForeignKey(t => t.TagId).OnDelete(DeleteBehavior.Restrict);
        // Led by the sentence: the tags of a trace's sentences (joined from Sentences' (TraceId, Index)), and one row per annotator.
        builder.HasIndex(t => new { t.SentenceId, t.TagId, t.AnnotatorKind, t.Annotator }).IsUnique();
        // Led by the tag: the sentences that carry a tag.
        builder.HasIndex(t => new { t.TagId, t.SentenceId });
    }
}
