using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Accounts;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Sharing;
using TraceViewer.Workspaces;

namespace TraceViewer.Traces;

/// <summary>Whether a trace or dataset is public, read past the dataset filters (the signed-out visitor's admission asks before any filter is set).</summary>
internal sealed class PublicDatasets(TraceViewerDbContext db) : IPublicDatasets
{
    public async Task<bool> IsPublicAsync(PublicSubject subject, int id, CancellationToken ct = default) => subject switch
    {
        PublicSubject.Trace => await (from t in db.Set<Trace>().IgnoreQueryFilters()
                                      join d in db.Set<Dataset>().IgnoreQueryFilters() on t.DatasetId equals d.Id
                                      where t.Id == id && d.Visibility == DatasetVisibility.Public
                                      select t.Id).AnyAsync(ct),
        PublicSubject.Dataset => await db.Set<Dataset>().IgnoreQueryFilters().AnyAsync(d => d.Id == id && d.Visibility == DatasetVisibility.Public, ct),
        _ => false,
    };
}

/// <summary>
/// The workspace check of a write to a dataset's data (tags, verdicts, jobs on its traces, recompute): the writer's role in
/// the dataset's workspace (<see cref="VisibilityRule.MayWrite"/>), read from the database at the moment of the write.
/// Callers check the account-wide policy first (<see cref="IAccess.AllowsAsync"/> or the endpoint's policy); this adds the
/// workspace. Without accounts (the local owner) nothing is restricted.
/// </summary>
internal sealed class WorkspaceWrites(TraceViewerDbContext db, AccountsState accounts)
{
    /// <summary>Null when <paramref name="user"/> may write under <paramref name="policy"/> to every dataset of <paramref name="traceIds"/>; else why not.</summary>
    public async Task<string?> RefusalForTracesAsync(ClaimsPrincipal user, string policy, IReadOnlyCollection<int> traceIds, CancellationToken ct = default)
    {
        if (Decided(user) is { } decided)
        {
            return decided.Refusal;
        }

        var workspaces = await (from t in db.Set<Trace>().IgnoreQueryFilters()
                                join d in db.Set<Dataset>().IgnoreQueryFilters() on t.DatasetId equals d.Id
                                where traceIds.Contains(t.Id)
                                select d.WorkspaceId).Distinct().ToListAsync(ct);
        return await RefusalInWorkspacesAsync(user, policy, workspaces, ct);
    }

    public Task<string?> RefusalForTraceAsync(ClaimsPrincipal user, string policy, int traceId, CancellationToken ct = default) =>
        RefusalForTracesAsync(user, policy, [traceId], ct);

    /// <summary>Null when <paramref name="user"/> may write under <paramref name="policy"/> to every dataset of <paramref name="datasetIds"/>; else why not.</summary>
    public async Task<string?> RefusalAsync(ClaimsPrincipal user, string policy, IReadOnlyCollection<int> datasetIds, CancellationToken ct = default)
    {
        if (Decided(user) is { } decided)
        {
            return decided.Refusal;
        }

        var workspaces = await db.Set<Dataset>().IgnoreQueryFilters().Where(d => datasetIds.Contains(d.Id)).Select(d => d.WorkspaceId).Distinct().ToListAsync(ct);
        return await RefusalInWorkspacesAsync(user, policy, workspaces, ct);
    }

    /// <summary>Null when <paramref name="user"/> may write under <paramref name="policy"/> in every one of <paramref name="workspaceIds"/>; else why not.</summary>
    public async Task<string?> RefusalInWorkspacesAsync(ClaimsPrincipal user, string policy, IReadOnlyCollection<int> workspaceIds, CancellationToken ct = default)
    {
        var least = AccessPolicies.LeastRole[policy];
        if (Decided(user) is { } decided)
        {
            return decided.Refusal;
        }

        if (workspaceIds.Count == 0)
        {
            return null;
        }

        var (accountRole, roles) = await RolesAsync(user, ct);
        foreach (var workspaceId in workspaceIds.Order())
        {
            if (!VisibilityRule.MayWrite(accountRole, roles, workspaceId, least))
            {
                var name = await db.Set<Workspace>().AsNoTracking().Where(w => w.Id == workspaceId).Select(w => w.Name).FirstOrDefaultAsync(ct) ?? workspaceId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var yours = roles.TryGetValue(workspaceId, out var role) ? $"your role there is {role}" : "you are not a member";
                return $"This needs the {least} role in workspace \"{name}\"; {yours}.";
            }
        }

        return null;
    }

    /// <summary>
    /// What <paramref name="user"/> may write to the dataset of trace <paramref name="traceId"/>, under any policy: one
    /// read of the trace's workspace and one of the memberships (the trace page asks for tagging and recompute
    /// together). No reasons are read: a page only hides controls.
    /// </summary>
    public async Task<Func<string, bool>> RightsOnTraceAsync(ClaimsPrincipal user, int traceId, CancellationToken ct = default)
    {
        if (Decided(user) is { } decided)
        {
            return _ => decided.Refusal is null;
        }

        var workspace = await (from t in db.Set<Trace>().IgnoreQueryFilters()
                               join d in db.Set<Dataset>().IgnoreQueryFilters() on t.DatasetId equals d.Id
                               where t.Id == traceId
                               select (int?)d.WorkspaceId).FirstOrDefaultAsync(ct);
        if (workspace is not { } id)
        {
            return _ => true;
        }

        var (accountRole, roles) = await RolesAsync(user, ct);
        return policy => VisibilityRule.MayWrite(accountRole, roles, id, AccessPolicies.LeastRole[policy]);
    }

    /// <summary>
    /// What <paramref name="user"/> may write, under any policy, to every trace <paramref name="filter"/> selects as the
    /// caller reads the list (the trace list's query, which a job over the list also takes): one read of the distinct
    /// workspaces of those traces and one of the memberships, however many traces match. "Resample these" and "Judge
    /// these" ask it, so they are shown exactly when starting the job would pass the workspace check.
    /// </summary>
    public async Task<Func<string, bool>> RightsOnFilterAsync(ClaimsPrincipal user, TraceFilter filter, CancellationToken ct = default)
    {
        if (Decided(user) is { } decided)
        {
            return _ => decided.Refusal is null;
        }

        var workspaces = await (from t in TraceQueries.Filtered(db, filter)
                                join d in db.Set<Dataset>() on t.DatasetId equals d.Id
                                select d.WorkspaceId).Distinct().ToListAsync(ct);
        var (accountRole, roles) = await RolesAsync(user, ct);
        return policy => workspaces.TrueForAll(id => VisibilityRule.MayWrite(accountRole, roles, id, AccessPolicies.LeastRole[policy]));
    }

    /// <summary>
    /// The workspaces where <paramref name="user"/> may write under <paramref name="policy"/>, by name: every workspace for
    /// the local owner and a global admin, none for a signed-out visitor or share holder.
    /// </summary>
    public async Task<IReadOnlyList<(int Id, string Name)>> WorkspacesWhereAsync(ClaimsPrincipal user, string policy, CancellationToken ct = default)
    {
        var all = await db.Set<Workspace>().AsNoTracking().OrderBy(w => w.Id).Select(w => new { w.Id, w.Name }).ToListAsync(ct);
        if (Decided(user) is { } decided)
        {
            return decided.Refusal is null ? [.. all.Select(w => (w.Id, w.Name))] : [];
        }

        var (accountRole, roles) = await RolesAsync(user, ct);
        var least = AccessPolicies.LeastRole[policy];
        return [.. all.Where(w => VisibilityRule.MayWrite(accountRole, roles, w.Id, least)).Select(w => (w.Id, w.Name))];
    }

    /// <summary>The account-wide role and the role in each workspace of a signed-in account (one read of its memberships).</summary>
    private async Task<(string? AccountRole, Dictionary<int, string> Roles)> RolesAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var accountRole = Roles.All.LastOrDefault(user.IsInRole);
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        var memberships = await db.Set<WorkspaceMember>().AsNoTracking().Where(m => m.UserId == userId).Select(m => new { m.WorkspaceId, m.Role }).ToListAsync(ct);
        return (accountRole, VisibilityRule.WorkspaceRoles(accountRole, memberships.Select(m => (m.WorkspaceId, m.Role))));
    }

    /// <summary>
    /// The answer that needs no workspace: the local owner (no accounts) and a global admin may write anywhere; a
    /// signed-out visitor or share holder nowhere. Null when the workspace decides.
    /// </summary>
    private Decision? Decided(ClaimsPrincipal user)
    {
        if (LocalOwner.Is(user) || !accounts.Exist)
        {
            return new Decision(accounts.Exist ? "Sign in first." : null);
        }

        if (ShareHolder.Is(user) || user.Identity?.IsAuthenticated != true)
        {
            return new Decision("Sign in first.");
        }

        return Roles.All.LastOrDefault(user.IsInRole) == Roles.Admin ? new Decision(null) : null;
    }

    private sealed record Decision(string? Refusal);
}
