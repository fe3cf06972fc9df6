using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Workspaces;

/// <summary>
/// A group of datasets and the people who work on them. Workspace <see cref="DefaultId"/> exists from the migration on
/// and holds every dataset imported before workspaces existed; every account is a member of it at its global role.
/// </summary>
internal sealed class Workspace
{
    public const int DefaultId = 1;

    /// <summary>The default workspace's name, as the migration made it.</summary>
    public const string DefaultName = "Default";

    public const int MaxNameLength = 80;

    public int Id { get; set; }

    public string Name { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public List<WorkspaceMember> Members { get; set; } = [];
}

/// <summary>An account's role in one workspace (one of <see cref="Accounts.Roles"/>).</summary>
internal sealed class WorkspaceMember
{
    public int WorkspaceId { get; set; }

    /// <summary>The account's id (Identity's user id).</summary>
    public string UserId { get; set; } = "";

    public string Role { get; set; } = Accounts.Roles.Reader;

    public DateTimeOffset AddedAt { get; set; }
}

/// <summary>Who may read a dataset's traces, besides its workspace's members.</summary>
internal enum DatasetVisibility
{
    /// <summary>Members of its workspace only (and admins).</summary>
    Workspace = 0,

    /// <summary>Every signed-in account.</summary>
    SignedIn = 1,

    /// <summary>Everyone, also signed out; its pages may be indexed.</summary>
    Public = 2,
}

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> builder)
    {
        builder.ToTable("Workspaces");
        builder.Property(w => w.Name).HasMaxLength(Workspace.MaxNameLength);
        builder.HasIndex(w => w.Name).IsUnique();
        builder.HasMany(w => w.Members).WithOne().HasForeignKey(m => m.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasData(new Workspace { Id = Workspace.DefaultId, Name = Workspace.DefaultName, CreatedAt = new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero) });
    }
}

internal sealed class WorkspaceMemberConfiguration : IEntityTypeConfiguration<WorkspaceMember>
{
    public void Configure(EntityTypeBuilder<WorkspaceMember> builder)
    {
        builder.ToTable("WorkspaceMembers");
        builder.HasKey(m => new { m.WorkspaceId, m.UserId });
        builder.Property(m => m.UserId).HasMaxLength(450);
        builder.Property(m => m.Role).HasMaxLength(16);
        builder.HasIndex(m => m.UserId);
        builder.HasOne<Microsoft.AspNetCore.Identity.IdentityUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
