using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TraceViewer.Traces;

namespace TraceViewer.Tags;

/// <summary>
/// An annotator has submitted their tags of a trace: in blind mode the tagging workbench shows them the other
/// annotators' tags of that trace from then on. One row per (trace, annotator kind, annotator).
/// </summary>
internal sealed class TagSubmission
{
    public int Id { get; set; }

    public int TraceId { get; set; }

    public AnnotatorKind AnnotatorKind { get; set; }

    public required string Annotator { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }
}

internal sealed class TagSubmissionConfiguration : IEntityTypeConfiguration<TagSubmission>
{
    public void Configure(EntityTypeBuilder<TagSubmission> builder)
    {
        builder.Property(s => s.AnnotatorKind).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Annotator).HasMaxLength(TagLimits.MaxAnnotatorLength);
        builder.HasOne<Trace>().WithMany().HasForeignKey(s => s.TraceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => new { s.TraceId, s.AnnotatorKind, s.Annotator }).IsUnique();
    }
}
