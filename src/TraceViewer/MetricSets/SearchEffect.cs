using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TraceViewer.Outcomes;
using TraceViewer.Traces;

namespace TraceViewer.MetricSets;

/// <summary>
/// The effect one sentence shows for one outcome, read from the metric set <see cref="ShownMetricSets"/> picks with the
/// default policy, kept so search filters and ranks by an index instead of choosing sets and reading values per
/// sentence. Every sentence of a trace that shows a set for the outcome has a row, with or without numbers.
/// Written only by Search's SearchEffectsSync (docs/decisions/0036); read by search and by the kinds page (docs/decisions/0048).
/// </summary>
internal sealed class SearchEffect
{
    public int SentenceId { get; set; }

    public int OutcomeId { get; set; }

    public int TraceId { get; set; }

    public int SentenceIndex { get; set; }

    /// <summary>The shown set the numbers come from.</summary>
    public int MetricSetId { get; set; }

    /// <summary>The signed effect whose sign is the direction: counterfactual, or resampling where that is not defined.</summary>
    public double? Directional { get; set; }

    public double? Resampling { get; set; }

    /// <summary>
    /// Sizes to rank by, never null so one index orders them: the absolute <see cref="Directional"/> effect, the absolute
    /// resampling effect, and the KL of the same kind as <see cref="Directional"/>; <see cref="Missing"/> where there is none.
    /// </summary>
    public double DirectionalRank { get; set; }

    public double ResamplingRank { get; set; }

    public double KlRank { get; set; }

    /// <summary>The rank of a sentence without that number: below every size, since sizes are at least zero.</summary>
    public const double Missing = -1;
}

internal sealed class SearchEffectConfiguration : IEntityTypeConfiguration<SearchEffect>
{
    public void Configure(EntityTypeBuilder<SearchEffect> builder)
    {
        builder.HasKey(e => new { e.SentenceId, e.OutcomeId });
        builder.HasOne<Sentence>().WithMany().HasForeignKey(e => e.SentenceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Outcome>().WithMany().HasForeignKey(e => e.OutcomeId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<MetricSet>().WithMany().HasForeignKey(e => e.MetricSetId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => e.TraceId);
        builder.HasIndex(e => e.MetricSetId);
        builder.HasIndex(e => new { e.OutcomeId, e.DirectionalRank, e.TraceId, e.SentenceIndex }).IsDescending(false, true, false, false);
        builder.HasIndex(e => new { e.OutcomeId, e.ResamplingRank, e.TraceId, e.SentenceIndex }).IsDescending(false, true, false, false);
        builder.HasIndex(e => new { e.OutcomeId, e.KlRank, e.TraceId, e.SentenceIndex }).IsDescending(false, true, false, false);
    }
}
