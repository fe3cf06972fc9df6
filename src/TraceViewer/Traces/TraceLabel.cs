using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Traces;

/// <summary>The base response's value for one outcome (e.g. is_correct = true).</summary>
internal sealed class TraceLabel
{
    public int TraceId { get; set; }

    public int OutcomeId { get; set; }

    /// <summary>The raw value as text (true/false, an answer, a level).</summary>
    public string? Value { get; set; }

    /// <summary>Whether the value counts as the outcome happening; null when undetermined.</summary>
    public bool? IsPositive { get; set; }
}

internal sealed class TraceLabelConfiguration : IEntityTypeConfiguration<TraceLabel>
{
    public void Configure(EntityTypeBuilder<TraceLabel> builder)
    {
        builder.HasKey(l => new { l.TraceId, l.OutcomeId });
        builder.HasOne<Trace>().WithMany().HasForeignKey(l => l.TraceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Outcomes.Outcome>().WithMany().HasForeignKey(l => l.OutcomeId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(l => new { l.OutcomeId, l.IsPositive });
    }
}
