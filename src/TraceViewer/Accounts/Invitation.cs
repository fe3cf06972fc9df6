using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Accounts;

/// <summary>
/// An admin's invitation: whoever opens its link before it expires sets a password and gets an account with this email
/// and role, once. Only a hash of the link's token is stored, so the database alone cannot be used to accept it.
/// </summary>
internal sealed class Invitation
{
    public int Id { get; set; }

    public string Email { get; set; } = "";

    public string Role { get; set; } = Roles.Reader;

    /// <summary>SHA-256 of the token in the link, as lowercase hex.</summary>
    public string TokenHash { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Set when the link was used; it cannot be used again.</summary>
    public DateTimeOffset? AcceptedAt { get; set; }

    /// <summary>The admin who invited (user id), if any.</summary>
    public string? InvitedBy { get; set; }
}

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> builder)
    {
        builder.Property(i => i.Email).HasMaxLength(256);
        builder.Property(i => i.Role).HasMaxLength(32);
        builder.Property(i => i.TokenHash).HasMaxLength(64);
        builder.Property(i => i.InvitedBy).HasMaxLength(450);
        builder.HasIndex(i => i.TokenHash).IsUnique();
        builder.HasIndex(i => i.Email);
    }
}
