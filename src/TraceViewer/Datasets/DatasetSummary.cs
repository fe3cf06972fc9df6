using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Datasets;

/// <summary>
/// What the datasets page shows of one dataset, kept by the database's triggers on every write of the rows it counts
/// (decision 0051): how many traces it has, and how many sentence tags and people's verdicts are on them. Read instead
/// of counting the dataset's traces, sentences and tags per request; filtered by the dataset like every row that
/// belongs to one.
/// </summary>
internal sealed class DatasetSummary
{
    public int DatasetId { get; set; }

    public int Traces { get; set; }

    /// <summary>Sentence tags on the dataset's sentences, by any annotator.</summary>
    public int SentenceTags { get; set; }

    /// <summary>People's verdicts on the dataset's traces and their resamples.</summary>
    public int Verdicts { get; set; }
}

/// <summary>
/// One outcome of one dataset: how many of its traces' labels and metric sets are for it. A row exists while either
/// count is above zero, so the rows are the dataset's outcomes.
/// </summary>
internal sealed class DatasetOutcomeSummary
{
    public int DatasetId { get; set; }

    public int OutcomeId { get; set; }

    public int TraceLabels { get; set; }

    public int MetricSets { get; set; }
}

/// <summary>
/// One study condition of one dataset: its traces with a tier, by prompt variant (none is <see cref="DefaultVariant"/>,
/// as the study page groups them) and tier. A row exists while it has traces, so a dataset's rows are its conditions.
/// </summary>
internal sealed class DatasetConditionSummary
{
    /// <summary>The variant of traces without one; the same text as the study page's default variant.</summary>
    public const string DefaultVariant = "default";

    public int DatasetId { get; set; }

    public required string Variant { get; set; }

    public required string Tier { get; set; }

    public int Traces { get; set; }
}

internal sealed class DatasetSummaryConfiguration :
    IEntityTypeConfiguration<DatasetSummary>, IEntityTypeConfiguration<DatasetOutcomeSummary>, IEntityTypeConfiguration<DatasetConditionSummary>
{
    public void Configure(EntityTypeBuilder<DatasetSummary> builder)
    {
        builder.HasKey(s => s.DatasetId);
        builder.HasOne<Dataset>().WithOne().HasForeignKey<DatasetSummary>(s => s.DatasetId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<DatasetOutcomeSummary> builder)
    {
        builder.HasKey(s => new { s.DatasetId, s.OutcomeId });
        builder.HasOne<Dataset>().WithMany().HasForeignKey(s => s.DatasetId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Outcomes.Outcome>().WithMany().HasForeignKey(s => s.OutcomeId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<DatasetConditionSummary> builder)
    {
        builder.HasKey(s => new { s.DatasetId, s.Variant, s.Tier });
        builder.HasOne<Dataset>().WithMany().HasForeignKey(s => s.DatasetId).OnDelete(DeleteBehavior.Cascade);
    }
}
