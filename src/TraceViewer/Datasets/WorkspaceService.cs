using Microsoft.EntityFrameworkCore;
using TraceViewer.Accounts;
using TraceViewer.Data;
using TraceViewer.Workspaces;

namespace TraceViewer.Datasets;

internal sealed record WorkspaceMemberView(string UserId, string Email, string Role);

internal sealed record WorkspaceView(int Id, string Name, IReadOnlyList<WorkspaceMemberView> Members);

internal sealed record DatasetPlacementView(int Id, string Name, string Model, int WorkspaceId, DatasetVisibility Visibility);

internal sealed record AccountChoice(string UserId, string Email);

internal sealed record WorkspacesOverview(IReadOnlyList<WorkspaceView> Workspaces, IReadOnlyList<DatasetPlacementView> Datasets, IReadOnlyList<AccountChoice> Accounts);

/// <summary>
/// Workspaces, their members and where each dataset lives, for admins. Callers check the admin role at the moment of
/// the change; each change is one statement or one transaction, and a bad value changes nothing.
/// </summary>
internal sealed class WorkspaceService(TraceViewerDbContext db, TimeProvider clock)
{
    public async Task<WorkspacesOverview> OverviewAsync(CancellationToken ct = default)
    {
        var workspaces = await db.Set<Workspace>().AsNoTracking().OrderBy(w => w.Name).ToListAsync(ct);
        var members = await (from m in db.Set<WorkspaceMember>().AsNoTracking()
                             join u in db.Users.AsNoTracking() on m.UserId equals u.Id
                             select new { m.WorkspaceId, m.UserId, Email = u.Email ?? u.UserName ?? m.UserId, m.Role }).ToListAsync(ct);
        var datasets = await db.Set<Dataset>().AsNoTracking().OrderBy(d => d.Name).ThenBy(d => d.Id)
            .Select(d => new DatasetPlacementView(d.Id, d.Name, d.Model, d.WorkspaceId, d.Visibility)).ToListAsync(ct);
        var accounts = await db.Users.AsNoTracking().OrderBy(u => u.Email)
            .Select(u => new AccountChoice(u.Id, u.Email ?? u.UserName ?? u.Id)).ToListAsync(ct);
        return new WorkspacesOverview(
            [.. workspaces.Select(w => new WorkspaceView(w.Id, w.Name, [.. members.Where(m => m.WorkspaceId == w.Id).OrderBy(m => m.Email, StringComparer.Ordinal)
                .Select(m => new WorkspaceMemberView(m.UserId, m.Email, m.Role))]))],
            datasets,
            accounts);
    }

    /// <summary>Creates a workspace; returns its id, or an error naming the problem.</summary>
    public async Task<(int? Id, string? Error)> CreateAsync(string name, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length == 0 || name.Length > Workspace.MaxNameLength)
        {
            return (null, $"A workspace's name has 1 to {Workspace.MaxNameLength} characters.");
        }

        if (await db.Set<Workspace>().AnyAsync(w => w.Name == name, ct))
        {
            return (null, $"A workspace named \"{name}\" exists already.");
        }

        var workspace = new Workspace { Name = name, CreatedAt = clock.GetUtcNow() };
        db.Add(workspace);
        await db.SaveChangesAsync(ct);
        return (workspace.Id, null);
    }

    /// <summary>Adds an account to a workspace with a role, or changes its role there.</summary>
    public async Task<string?> SetMemberAsync(int workspaceId, string userId, string role, CancellationToken ct = default)
    {
        if (!Roles.IsRole(role))
        {
            return $"\"{role}\" is not a role; one of {string.Join(", ", Roles.All)}.";
        }

        if (!await db.Set<Workspace>().AnyAsync(w => w.Id == workspaceId, ct))
        {
            return "That workspace no longer exists.";
        }

        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return "That account no longer exists.";
        }

        var member = await db.Set<WorkspaceMember>().FirstOrDefaultAsync(m => m.WorkspaceId == workspaceId && m.UserId == userId, ct);
        if (member is null)
        {
            db.Add(new WorkspaceMember { WorkspaceId = workspaceId, UserId = userId, Role = Roles.All[Roles.Rank(role)], AddedAt = clock.GetUtcNow() });
        }
        else
        {
            member.Role = Roles.All[Roles.Rank(role)];
        }

        await db.SaveChangesAsync(ct);
        return null;
    }

    public async Task RemoveMemberAsync(int workspaceId, string userId, CancellationToken ct = default) =>
        await db.Set<WorkspaceMember>().Where(m => m.WorkspaceId == workspaceId && m.UserId == userId).ExecuteDeleteAsync(ct);

    /// <summary>Moves a dataset to a workspace and sets who reads it.</summary>
    public async Task<string?> PlaceAsync(int datasetId, int workspaceId, DatasetVisibility visibility, CancellationToken ct = default)
    {
        if (!Enum.IsDefined(visibility))
        {
            return "Unknown visibility.";
        }

        if (!await db.Set<Workspace>().AnyAsync(w => w.Id == workspaceId, ct))
        {
            return "That workspace no longer exists.";
        }

        var changed = await db.Set<Dataset>().Where(d => d.Id == datasetId)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.WorkspaceId, workspaceId).SetProperty(d => d.Visibility, visibility), ct);
        return changed == 0 ? "That dataset no longer exists." : null;
    }

    /// <summary>How each visibility reads on the page.</summary>
    public static string Describe(DatasetVisibility visibility) => visibility switch
    {
        DatasetVisibility.Workspace => "Workspace members",
        DatasetVisibility.SignedIn => "Every signed-in account",
        DatasetVisibility.Public => "Public",
        _ => visibility.ToString(),
    };
}
