using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Tagging;

/// <summary>
/// A model annotator's votes on one sentence for one taxonomy, as a tag job asked them: every reply raw and parsed
/// (<see cref="TagVote"/>), and the tags they gave (written as the annotator's <see cref="SentenceTag"/> rows). One per
/// (sentence, taxonomy, annotator, prompt hash): a second job with the same model and prompt skips the sentence.
/// </summary>
internal sealed class TagVoteRecord
{
    public long Id { get; set; }

    public int SentenceId { get; set; }

    public int TaxonomyId { get; set; }

    /// <summary>The model annotator: <c>&lt;provider&gt;/&lt;model&gt;</c>.</summary>
    public required string Annotator { get; set; }

    /// <summary>The job that asked; kept as a number, without a foreign key, so the votes outlive the job.</summary>
    public int? JobId { get; set; }

    /// <summary>SHA-256 of the prompt template (default or custom).</summary>
    public required string PromptHash { get; set; }

    public double? Temperature { get; set; }

    /// <summary>JSON array of <see cref="TagVote"/>.</summary>
    public required string Votes { get; set; }

    /// <summary>JSON array of the tag names given by the votes' majority (plurality for a single-choice taxonomy).</summary>
    public required string Tags { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class TagVoteRecordConfiguration : IEntityTypeConfiguration<TagVoteRecord>
{
    public void Configure(EntityTypeBuilder<TagVoteRecord> builder)
    {
        builder.ToTable("TagVotes");
        builder.Property(v => v.Annotator).HasMaxLength(TagLimits.MaxAnnotatorLength);
        builder.Property(v => v.PromptHash).HasMaxLength(64);
        builder.HasOne<Sentence>().WithMany().HasForeignKey(v => v.SentenceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Taxonomy>().WithMany().HasForeignKey(v => v.TaxonomyId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(v => new { v.SentenceId, v.TaxonomyId, v.Annotator, v.PromptHash }).IsUnique();
        builder.HasIndex(v => v.JobId);
    }
}
