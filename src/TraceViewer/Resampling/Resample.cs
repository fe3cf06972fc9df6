using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Resampling;

/// <summary>One continuation sampled from the prefix before sentence <see cref="Position"/>.</summary>
internal sealed class Resample
{
    public long Id { get; set; }

    public int TraceId { get; set; }

    /// <summary>The removed sentence's index i: the prefix holds sentences 0..i-1.</summary>
    public int Position { get; set; }

    /// <summary>Sample number at this position; (trace, position, sample) is the idempotency key.</summary>
    public int SampleIndex { get; set; }

    /// <summary>The first sentence of the continuation: the replacement of sentence i.</summary>
    public string? FirstSentence { get; set; }

    /// <summary>The continuation text; null when only the first sentence is known (viewer bundles).</summary>
    public string? Continuation { get; set; }

    public string? FinalOutput { get; set; }

    /// <summary>The extracted answer (MATH) or other raw outcome text.</summary>
    public string? Answer { get; set; }

    public string? Error { get; set; }

    /// <summary>Imported or generated; stored as its text.</summary>
    public required ResampleOrigin Origin { get; set; }

    public int? PromptTokens { get; set; }

    public int? CompletionTokens { get; set; }

    public string? Metadata { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<ResampleLabel> Labels { get; set; } = [];
}

/// <summary>A resample's value for one outcome.</summary>
internal sealed class ResampleLabel
{
    public long ResampleId { get; set; }

    public int OutcomeId { get; set; }

    public string? Value { get; set; }

    public bool? IsPositive { get; set; }
}

internal sealed class ResampleConfiguration : IEntityTypeConfiguration<Resample>
{
    public void Configure(EntityTypeBuilder<Resample> builder)
    {
        builder.HasIndex(r => new { r.TraceId, r.Position, r.SampleIndex }).IsUnique();
        builder.Property(r => r.Origin).HasConversion(ResampleOrigins.Converter);
        builder.HasOne<Traces.Trace>().WithMany().HasForeignKey(r => r.TraceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Labels).WithOne().HasForeignKey(l => l.ResampleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ResampleLabelConfiguration : IEntityTypeConfiguration<ResampleLabel>
{
    public void Configure(EntityTypeBuilder<ResampleLabel> builder)
    {
        builder.HasKey(l => new { l.ResampleId, l.OutcomeId });
        builder.HasOne<Outcomes.Outcome>().WithMany().HasForeignKey(l => l.OutcomeId).OnDelete(DeleteBehavior.Cascade);
    }
}
