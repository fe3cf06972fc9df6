using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Judging;

/// <summary>A classifier's verdict on a trace or a resample, with every vote kept.</summary>
internal sealed class JudgeLabel
{
    public long Id { get; set; }

    public int? TraceId { get; set; }

    public long? ResampleId { get; set; }

    public int OutcomeId { get; set; }

    public required string Classifier { get; set; }

    public string? Version { get; set; }

    public string? PromptHash { get; set; }

    /// <summary>Fraction of yes votes, or the imported score.</summary>
    public double? Score { get; set; }

    public double? Threshold { get; set; }

    /// <summary>Whether a score equal to <see cref="Threshold"/> counts as yes (majority: no, so a tie is no); null when not stored (imported labels).</summary>
    public bool? ThresholdInclusive { get; set; }

    /// <summary>The largest share of failed votes the label was allowed (above it the label is undetermined); null when not stored.</summary>
    public double? MaxFailedShare { get; set; }

    public bool? Label { get; set; }

    /// <summary>JSON array of votes: raw text and parsed criteria.</summary>
    public string? Votes { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class JudgeLabelConfiguration : IEntityTypeConfiguration<JudgeLabel>
{
    public void Configure(EntityTypeBuilder<JudgeLabel> builder)
    {
        builder.HasIndex(j => j.TraceId);
        builder.HasIndex(j => j.ResampleId);
        builder.HasOne<Traces.Trace>().WithMany().HasForeignKey(j => j.TraceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Resampling.Resample>().WithMany().HasForeignKey(j => j.ResampleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Outcomes.Outcome>().WithMany().HasForeignKey(j => j.OutcomeId).OnDelete(DeleteBehavior.Cascade);
    }
}
