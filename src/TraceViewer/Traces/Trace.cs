using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Traces;

/// <summary>One base response of a model to one prompt, split into sentences.</summary>
internal sealed class Trace : Data.ITraceRow
{
    public int Id { get; set; }

    public int DatasetId { get; set; }

    /// <summary>Identity inside the dataset (item folder name, or query + tier), used to de-duplicate re-imports.</summary>
    public required string ExternalKey { get; set; }

    public required string Title { get; set; }

    /// <summary>The full prompt as sent (raw completion prompt, or rendered messages).</summary>
    public string Prompt { get; set; } = "";

    public string? SystemPrompt { get; set; }

    public string? UserPrompt { get; set; }

    /// <summary>The full generated text as it came from the model.</summary>
    public string Response { get; set; } = "";

    /// <summary>The text the sentences index into: concatenating each sentence with its separator gives it back exactly.</summary>
    public string Reasoning { get; set; } = "";

    public string? FinalOutput { get; set; }

    /// <summary>free, paid, another identity string, or null when the study has no tiers.</summary>
    public string? Tier { get; set; }

    public string? PromptVariant { get; set; }

    public required string Model { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    /// <summary>The file or folder the trace was imported from, relative to the import root.</summary>
    public string? SourcePath { get; set; }

    public required string SourceFormat { get; set; }

    /// <summary>Hash of the imported content; an identical re-import is skipped.</summary>
    public string? ContentHash { get; set; }

    /// <summary>True when the trace has labelled resamples, so metrics can be recomputed from them.</summary>
    public bool HasLabelledResamples { get; set; }

    /// <summary>The largest absolute sentence effect for the dataset's primary outcome, for sorting lists.</summary>
    public double? MaxImportance { get; set; }

    public int SentenceCount { get; set; }

    public int ResampleCount { get; set; }

    public string? Metadata { get; set; }

    public DateTimeOffset ImportedAt { get; set; }

    public Datasets.Dataset? Dataset { get; set; }

    public List<Sentence> Sentences { get; set; } = [];
}

internal sealed class TraceConfiguration : IEntityTypeConfiguration<Trace>
{
    public void Configure(EntityTypeBuilder<Trace> builder)
    {
        builder.HasIndex(t => new { t.DatasetId, t.ExternalKey }).IsUnique();
        builder.HasIndex(t => t.MaxImportance);
        builder.HasIndex(t => t.Model);

        // The list's tier and prompt-variant filter options read this index, never the traces' long rows. The list's
        // default order (most important first, traces without metrics last) has an expression index written in each
        // provider's TraceListIndexes migration.
        builder.HasIndex(t => new { t.Tier, t.PromptVariant });
        builder.HasOne(t => t.Dataset).WithMany(d => d.Traces).HasForeignKey(t => t.DatasetId).OnDelete(DeleteBehavior.Cascade);
    }
}
