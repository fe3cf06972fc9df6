using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Datasets;

/// <summary>A collection of traces from one source, model and solution type (e.g. one folder of a viewer bundle).</summary>
internal sealed class Dataset : Data.IDatasetRow
{
    public int Id { get; set; }

    /// <summary>Stable identity across re-imports: source format, model folder and solution-type folder.</summary>
    public required string Key { get; set; }

    public required string Name { get; set; }

    public required string Model { get; set; }

    /// <summary>Study family: one the app names (<see cref="DatasetKind.Named"/>), or whatever an imported TraceViewer export names.</summary>
    public required DatasetKind Kind { get; set; }

    public required string SourceFormat { get; set; }

    public string? Description { get; set; }

    /// <summary>The outcome shown first on this dataset's pages.</summary>
    public int? PrimaryOutcomeId { get; set; }

    /// <summary>Passthrough JSON from the source (folder parameters, variant suffix...).</summary>
    public string? Metadata { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The workspace the dataset belongs to; its members read it at their role there.</summary>
    public int WorkspaceId { get; set; } = Workspaces.Workspace.DefaultId;

    /// <summary>Who besides the workspace's members may read it.</summary>
    public Workspaces.DatasetVisibility Visibility { get; set; }

    public List<Traces.Trace> Traces { get; set; } = [];
}

internal sealed class DatasetConfiguration : IEntityTypeConfiguration<Dataset>
{
    public void Configure(EntityTypeBuilder<Dataset> builder)
    {
        builder.HasIndex(d => d.Key).IsUnique();
        builder.Property(d => d.Kind).HasConversion(DatasetKind.Converter);
        builder.Property(d => d.WorkspaceId).HasDefaultValue(Workspaces.Workspace.DefaultId);
        builder.Property(d => d.Visibility).HasConversion<string>().HasMaxLength(16).HasDefaultValue(Workspaces.DatasetVisibility.Workspace);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(d => d.WorkspaceId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(d => new { d.WorkspaceId, d.Visibility });
        builder.HasOne<Outcomes.Outcome>().WithMany().HasForeignKey(d => d.PrimaryOutcomeId).OnDelete(DeleteBehavior.SetNull);
    }
}
