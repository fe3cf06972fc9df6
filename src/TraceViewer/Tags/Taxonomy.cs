using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Tags;

/// <summary>A named set of tags that people, importers and models put on sentences.</summary>
internal sealed class Taxonomy
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary>The version of the taxonomy's definition; a built-in one is brought up to its definition once per version.</summary>
    public int Version { get; set; } = 1;

    /// <summary>A sentence may carry several of its tags (per annotator); otherwise one at most.</summary>
    public bool MultiChoice { get; set; } = true;

    /// <summary>Shipped with TraceViewer (see <see cref="BuiltInTaxonomies"/>).</summary>
    public bool BuiltIn { get; set; }

    public List<Tag> Tags { get; set; } = [];
}

/// <summary>
/// One category of a taxonomy. A tag that was used is never deleted: it is retired (no longer offered), so the
/// sentence tags and audit rows that name it keep their meaning.
/// </summary>
internal sealed class Tag
{
    public int Id { get; set; }

    public int TaxonomyId { get; set; }

    public Taxonomy? Taxonomy { get; set; }

    public required string Name { get; set; }

    /// <summary>"#rrggbb"; null takes a colour derived from the name (<see cref="Components.ProductColors.ForTag"/>).</summary>
    public string? Colour { get; set; }

    public string? Description { get; set; }

    /// <summary>The key 1-9 that toggles the tag in its taxonomy, unique within it; null when it has none.</summary>
    public int? Hotkey { get; set; }

    public bool Retired { get; set; }
}

internal sealed class TaxonomyConfiguration : IEntityTypeConfiguration<Taxonomy>
{
    public void Configure(EntityTypeBuilder<Taxonomy> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(TagLimits.MaxNameLength);
        builder.Property(t => t.Description).HasMaxLength(TagLimits.MaxDescriptionLength);
        builder.HasIndex(t => t.Name).IsUnique();
    }
}

internal sealed class TagConfiguration : IEntityTypeConfiguration<Tag>
{
    public void Configure(EntityTypeBuilder<Tag> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(TagLimits.MaxNameLength);
        builder.Property(t => t.Description).HasMaxLength(TagLimits.MaxDescriptionLength);
        builder.Property(t => t.Colour).HasMaxLength(7);
        builder.HasOne(t => t.Taxonomy).WithMany(x => x.Tags).HasForeignKey(t => t.TaxonomyId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(t => new { t.TaxonomyId, t.Name }).IsUnique();
        // Same filter text on SQLite and PostgreSQL (both quote identifiers with double quotes).
        builder.HasIndex(t => new { t.TaxonomyId, t.Hotkey }).IsUnique().HasFilter("\"Hotkey\" IS NOT NULL");
        builder.ToTable(t => t.HasCheckConstraint("CK_Tag_Hotkey", "\"Hotkey\" IS NULL OR (\"Hotkey\" >= 1 AND \"Hotkey\" <= 9)"));
    }
}

internal static class TagLimits
{
    public const int MaxNameLength = 200;

    public const int MaxDescriptionLength = 2000;

    public const int MaxAnnotatorLength = 200;

    public const int MaxNoteLength = 4000;
}
