using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Outcomes;

internal enum OutcomeKind
{
    Binary,
    Categorical,
    Ordinal,
}

/// <summary>A named label of a resample or trace, e.g. compliance, alignment faking, is_correct.</summary>
internal sealed class Outcome
{
    public int Id { get; set; }

    /// <summary>Canonical key, unique: is_correct, contains_blackmail, compliance, alignment_faking...</summary>
    public required string Key { get; set; }

    public required string Name { get; set; }

    public OutcomeKind Kind { get; set; }

    /// <summary>The name of the per-prefix rate in source files (accuracy, blackmail_rate...).</summary>
    public string? RateKey { get; set; }
}

internal sealed class OutcomeConfiguration : IEntityTypeConfiguration<Outcome>
{
    public void Configure(EntityTypeBuilder<Outcome> builder)
    {
        builder.HasIndex(o => o.Key).IsUnique();
        builder.Property(o => o.Kind).HasConversion<string>().HasMaxLength(16);
    }
}
