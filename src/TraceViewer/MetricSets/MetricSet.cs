using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.MetricSets;

internal enum MetricSource
{
    /// <summary>Read from a source file (chunks_labeled.json...), values kept as they were.</summary>
    Imported,

    /// <summary>Computed by TraceViewer from stored resamples.</summary>
    Computed,
}

/// <summary>The provenance of one set of per-sentence metrics for one trace and outcome.</summary>
internal sealed class MetricSet
{
    public int Id { get; set; }

    public int TraceId { get; set; }

    public int OutcomeId { get; set; }

    public MetricSource Source { get; set; }

    /// <summary>For imported sets, the file the values came from.</summary>
    public string? SourceFile { get; set; }

    /// <summary>Cosine similarity threshold for the dissimilar set.</summary>
    public double? Threshold { get; set; }

    public string? EmbeddingModel { get; set; }

    /// <summary>KL additive smoothing.</summary>
    public double? Alpha { get; set; }

    /// <summary>Other engine parameters as JSON (which resamples count, next-position rule...).</summary>
    public string? Parameters { get; set; }

    /// <summary>Number of resamples the set was computed from, and a hash identifying that set.</summary>
    public int ResampleCount { get; set; }

    public string? ResampleSetHash { get; set; }

    public DateTimeOffset ComputedAt { get; set; }

    public List<SentenceMetric> Values { get; set; } = [];
}

/// <summary>One per-sentence number. Effects are stored in TraceViewer's sign: positive = the sentence raises the rate.</summary>
internal sealed class SentenceMetric
{
    public long Id { get; set; }

    public int MetricSetId { get; set; }

    /// <summary>The sentence (chunk) index k.</summary>
    public int SentenceIndex { get; set; }

    /// <summary>Canonical name (see <see cref="MetricNames"/>) or, for unknown keys, the source key.</summary>
    public required string Name { get; set; }

    /// <summary>The key in the source file when imported (e.g. counterfactual_importance_accuracy).</summary>
    public string? SourceKey { get; set; }

    /// <summary>True when the source stored the opposite sign and the value was negated on import.</summary>
    public bool Negated { get; set; }

    public double Value { get; set; }

    /// <summary>Counts behind the value: determined resamples (n) and positives (k) for a rate.</summary>
    public int? Count { get; set; }

    public int? Successes { get; set; }

    /// <summary>95% interval of the value when known.</summary>
    public double? Low { get; set; }

    public double? High { get; set; }
}

internal static class MetricNames
{
    public const string PrefixRate = "prefix_rate";
    public const string ResamplingEffect = "resampling_effect";
    public const string ResamplingKl = "resampling_kl";
    public const string CounterfactualEffect = "counterfactual_effect";
    public const string CounterfactualKl = "counterfactual_kl";
    public const string ForcedEffect = "forced_effect";
    public const string ForcedKl = "forced_kl";
    public const string DissimilarFraction = "dissimilar_fraction";
    public const string Overdeterminedness = "overdeterminedness";
}

internal sealed class MetricSetConfiguration : IEntityTypeConfiguration<MetricSet>
{
    public void Configure(EntityTypeBuilder<MetricSet> builder)
    {
        builder.Property(m => m.Source).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(m => new { m.TraceId, m.OutcomeId, m.Source });
        builder.HasOne<Traces.Trace>().WithMany().HasForeignKey(m => m.TraceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Outcomes.Outcome>().WithMany().HasForeignKey(m => m.OutcomeId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(m => m.Values).WithOne().HasForeignKey(v => v.MetricSetId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SentenceMetricConfiguration : IEntityTypeConfiguration<SentenceMetric>
{
    public void Configure(EntityTypeBuilder<SentenceMetric> builder)
    {
        builder.HasIndex(v => new { v.MetricSetId, v.SentenceIndex, v.Name }).IsUnique();
    }
}
