using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Sharing;

/// <summary>
/// A read-only link to one trace (at a sentence, with its view) or to one dataset's study. Only the SHA-256 of the
/// link's token is stored; whoever holds the link may read its scope and nothing else, until it expires or is revoked.
/// </summary>
internal sealed class ShareLink
{
    public int Id { get; set; }

    /// <summary>SHA-256 of the token in the link, as lowercase hex.</summary>
    public string TokenHash { get; set; } = "";

    public ShareScopeKind Kind { get; set; }

    /// <summary>The dataset of the trace, or the dataset whose study is shared.</summary>
    public int DatasetId { get; set; }

    /// <summary>The shared trace (trace links only).</summary>
    public int? TraceId { get; set; }

    /// <summary>Where the link lands: a path and query on this site (no host), checked to lie in the scope.</summary>
    public string Target { get; set; } = "/";

    /// <summary>What the list shows for the scope (the trace's or study's title when made).</summary>
    public string Title { get; set; } = "";

    /// <summary>The account that made it (its name), or the local owner.</summary>
    public string CreatedBy { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>How many times the link was opened.</summary>
    public int UseCount { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

internal sealed class ShareLinkConfiguration : IEntityTypeConfiguration<ShareLink>
{
    public void Configure(EntityTypeBuilder<ShareLink> builder)
    {
        builder.ToTable("ShareLinks");
        builder.Property(s => s.TokenHash).HasMaxLength(64);
        builder.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Target).HasMaxLength(2048);
        builder.Property(s => s.Title).HasMaxLength(512);
        builder.Property(s => s.CreatedBy).HasMaxLength(256);
        builder.HasIndex(s => s.TokenHash).IsUnique();
        builder.HasIndex(s => s.DatasetId);
    }
}
