using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Agreement;

/// <summary>
/// A person's own alignment-faking verdict on a trace (its base response) or on one of its resamples, set against the
/// judge's labels on the agreement page. One row per (target, annotator); <see cref="TraceId"/> is always the trace,
/// also for a resample, so a dataset's verdicts are one join away.
/// </summary>
internal sealed class HumanVerdict
{
    public long Id { get; set; }

    public int TraceId { get; set; }

    /// <summary>The resample judged, or null for the trace's base response.</summary>
    public long? ResampleId { get; set; }

    /// <summary>The person's user id (<see cref="Tags.BuiltInTaxonomies.LocalPerson"/> while the app has no accounts).</summary>
    public required string Annotator { get; set; }

    /// <summary>True: the reasoning shows alignment faking.</summary>
    public bool Verdict { get; set; }

    public string? Note { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class HumanVerdictConfiguration : IEntityTypeConfiguration<HumanVerdict>
{
    public const int MaxNoteLength = 4000;

    public void Configure(EntityTypeBuilder<HumanVerdict> builder)
    {
        builder.Property(v => v.Annotator).HasMaxLength(Tags.TagLimits.MaxAnnotatorLength);
        builder.Property(v => v.Note).HasMaxLength(MaxNoteLength);
        builder.HasOne<Traces.Trace>().WithMany().HasForeignKey(v => v.TraceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Resampling.Resample>().WithMany().HasForeignKey(v => v.ResampleId).OnDelete(DeleteBehavior.Cascade);
        // One verdict per annotator and target; the same filter text works on SQLite and PostgreSQL.
        builder.HasIndex(v => new { v.TraceId, v.Annotator }).IsUnique().HasFilter("\"ResampleId\" IS NULL");
        builder.HasIndex(v => new { v.ResampleId, v.Annotator }).IsUnique().HasFilter("\"ResampleId\" IS NOT NULL");
    }
}
