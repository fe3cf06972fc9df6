namespace TraceViewer.Workspaces;

/// <summary>One dataset as the visibility rule sees it.</summary>
internal readonly record struct DatasetPlacement(int Id, int WorkspaceId, DatasetVisibility Visibility);

/// <summary>Who the caller is, as far as reading goes.</summary>
internal enum ViewerKind
{
    /// <summary>No caller (jobs, commands, start-up), the local owner while no account exists, or an admin.</summary>
    Unrestricted,

    /// <summary>A signed-in account: its workspaces, and what is open to every account or public.</summary>
    SignedIn,

    /// <summary>Whoever opened a share link: its dataset (the link's pages narrow it further) and what is public.</summary>
    ShareHolder,

    /// <summary>No account, no link: what is public.</summary>
    SignedOut,
}

/// <summary>A caller as the visibility rule needs it: the kind, the workspaces it belongs to, and a share link's dataset.</summary>
internal sealed record Viewer(ViewerKind Kind, IReadOnlySet<int> Workspaces, int? SharedDatasetId = null)
{
    public static Viewer Everything { get; } = new(ViewerKind.Unrestricted, new HashSet<int>());

    public static Viewer SignedOut { get; } = new(ViewerKind.SignedOut, new HashSet<int>());
}

/// <summary>What a caller may read (pure: no web or database code).</summary>
internal static class VisibilityRule
{
    /// <summary>
    /// A signed-in account's role in each workspace: the role of its membership there, and in the default workspace (where
    /// every dataset from before workspaces lives) its account-wide role, so existing accounts keep what they had.
    /// </summary>
    public static Dictionary<int, string> WorkspaceRoles(string? accountRole, IEnumerable<(int WorkspaceId, string Role)> memberships)
    {
        var roles = new Dictionary<int, string>();
        foreach (var (workspaceId, role) in memberships)
        {
            if (Accounts.Roles.IsRole(role))
            {
                roles[workspaceId] = Accounts.Roles.All[Accounts.Roles.Rank(role)];
            }
        }

        if (Accounts.Roles.IsRole(accountRole))
        {
            roles[Workspace.DefaultId] = Accounts.Roles.All[Accounts.Roles.Rank(accountRole)];
        }

        return roles;
    }

    /// <summary>
    /// Whether an account may make a write that needs <paramref name="leastRole"/> in workspace <paramref name="workspaceId"/>:
    /// a global admin everywhere; anyone else when its role there (<see cref="WorkspaceRoles"/>) is at least that role and so
    /// is its account-wide role, which stays the ceiling of what it may do anywhere. Not a member: no write.
    /// </summary>
    public static bool MayWrite(string? accountRole, IReadOnlyDictionary<int, string> workspaceRoles, int workspaceId, string leastRole)
    {
        var least = Accounts.Roles.Rank(leastRole);
        if (Accounts.Roles.Rank(accountRole) == Accounts.Roles.Rank(Accounts.Roles.Admin))
        {
            return true;
        }

        return least >= 0 && Accounts.Roles.Rank(accountRole) >= least
            && workspaceRoles.TryGetValue(workspaceId, out var role) && Accounts.Roles.Rank(role) >= least;
    }

    /// <summary>Whether <paramref name="viewer"/> reads <paramref name="dataset"/>.</summary>
    public static bool Sees(Viewer viewer, DatasetPlacement dataset) => viewer.Kind switch
    {
        ViewerKind.Unrestricted => true,
        ViewerKind.SignedIn => dataset.Visibility != DatasetVisibility.Workspace || viewer.Workspaces.Contains(dataset.WorkspaceId),
        ViewerKind.ShareHolder => dataset.Visibility == DatasetVisibility.Public || dataset.Id == viewer.SharedDatasetId,
        _ => dataset.Visibility == DatasetVisibility.Public,
    };

    /// <summary>The ids of the datasets <paramref name="viewer"/> reads, ascending; null when it reads everything.</summary>
    public static int[]? Visible(Viewer viewer, IEnumerable<DatasetPlacement> datasets) =>
        viewer.Kind == ViewerKind.Unrestricted ? null : [.. datasets.Where(d => Sees(viewer, d)).Select(d => d.Id).Order()];
}
