using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Views;

/// <summary>
/// A named filter set of the traces, search or study page: the page and its query string, kept by its owner, private
/// or shared with the signed-in users who read every dataset it names (decision 0055). Opened at <c>/v/{id}</c>.
/// </summary>
internal sealed class SavedView
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public SavedViewPage Page { get; set; }

    /// <summary>The study's dataset (study views only).</summary>
    public int? DatasetId { get; set; }

    /// <summary>The page's query string with its leading '?', or empty.</summary>
    public string Query { get; set; } = "";

    public bool Shared { get; set; }

    /// <summary>The owner's account id (the name identifier claim), or the local owner's.</summary>
    public string OwnerId { get; set; } = "";

    /// <summary>The owner's name as shown in the list.</summary>
    public string OwnerName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SavedViewConfiguration : IEntityTypeConfiguration<SavedView>
{
    public void Configure(EntityTypeBuilder<SavedView> builder)
    {
        builder.ToTable("SavedViews");
        builder.Property(v => v.Name).HasMaxLength(SavedViewTargets.MaxNameLength);
        builder.Property(v => v.Page).HasConversion<string>().HasMaxLength(16);
        builder.Property(v => v.Query).HasMaxLength(SavedViewTargets.MaxQueryLength);
        builder.Property(v => v.OwnerId).HasMaxLength(256);
        builder.Property(v => v.OwnerName).HasMaxLength(256);
        builder.HasIndex(v => v.OwnerId);
        builder.HasIndex(v => v.Shared);
    }
}
