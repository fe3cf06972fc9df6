using TraceViewer.Accounts;
using TraceViewer.Components;

namespace TraceViewer.Traces;

/// <summary>
/// Whether a trace list shows "Resample these" and "Judge these" (decision 0050): the account may research somewhere
/// (asked once), and a job over the traces the list's filter selects would pass the workspace check
/// (<see cref="WorkspaceWrites.RightsOnFilterAsync"/>, asked again only when the filter changes). One per list component.
/// </summary>
internal sealed class ListJobRights(IAccess access, QueryScope<WorkspaceWrites> writes)
{
    private bool? _researchAnywhere;
    private TraceFilter? _for;
    private bool _may;

    /// <summary>The answer for <paramref name="filter"/>; no filter (no list to start a job over) is no.</summary>
    public async Task<bool> MayStartAsync(TraceFilter? filter)
    {
        if (filter is null)
        {
            return false;
        }

        if (_for == filter)
        {
            return _may;
        }

        _for = filter;
        _researchAnywhere ??= await access.ShowsAsync(AccessPolicies.Research);
        if (_researchAnywhere is not true)
        {
            return _may = false;
        }

        var user = await access.UserAsync();
        var rights = await writes.RunAsync((w, ct) => w.RightsOnFilterAsync(user, filter, ct));
        return _may = rights(AccessPolicies.Research);
    }
}
