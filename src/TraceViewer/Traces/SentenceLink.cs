using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Traces;

/// <summary>One cell of a sparse sentence-to-sentence matrix (step_importance.json and its attention sibling).</summary>
internal sealed class SentenceLink
{
    public int TraceId { get; set; }

    /// <summary>resampling_match or attention_suppression: the two are on different scales.</summary>
    public required string Kind { get; set; }

    public int SourceIndex { get; set; }

    public int TargetIndex { get; set; }

    public double Score { get; set; }
}

internal sealed class SentenceLinkConfiguration : IEntityTypeConfiguration<SentenceLink>
{
    public void Configure(EntityTypeBuilder<SentenceLink> builder)
    {
        builder.HasKey(l => new { l.TraceId, l.Kind, l.SourceIndex, l.TargetIndex });
        builder.HasOne<Trace>().WithMany().HasForeignKey(l => l.TraceId).OnDelete(DeleteBehavior.Cascade);
    }
}
