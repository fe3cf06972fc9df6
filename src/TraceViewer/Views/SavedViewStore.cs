using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;

namespace TraceViewer.Views;

/// <summary>A saved view as its list shows it; <see cref="Mine"/>: the viewer owns it (may rename and delete it).</summary>
public sealed record SavedViewRow(int Id, string Name, string PageName, string Href, bool Shared, string OwnerName, bool Mine, DateTimeOffset UpdatedAt)
{
    /// <summary>The view's stable address.</summary>
    public string Link => SavedViewStore.Link(Id);
}

/// <summary>
/// Saved views: made by their owner, listed to and opened by their owner and, when shared, by every signed-in user who
/// reads every dataset the view names (<see cref="SavedViewTarget.DatasetsNamed"/>, answered by
/// <see cref="IViewDatasets"/>); a shared view that names no dataset by every signed-in user. Renamed, re-shared and
/// deleted by their owner only. Roles are checked by the callers; ownership and datasets here.
/// </summary>
internal sealed class SavedViewStore(TraceViewerDbContext db, TimeProvider time, IViewDatasets datasets)
{
    public const string ListPath = "/views";

    public static string Link(int id) => "/v/" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Saves the page at <paramref name="pathAndQuery"/> under <paramref name="name"/>; null when the name is empty or the page cannot be saved.</summary>
    public async Task<SavedViewRow?> SaveAsync(ViewOwner owner, string? name, string pathAndQuery, bool shared, CancellationToken ct = default)
    {
        if (SavedViewTargets.CleanName(name) is not { } clean || SavedViewTargets.Parse(pathAndQuery) is not { } target)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var view = new SavedView
        {
            Name = clean, Page = target.Page, DatasetId = target.DatasetId, Query = target.Query, Shared = shared,
            OwnerId = owner.Id, OwnerName = owner.Name, CreatedAt = now, UpdatedAt = now,
        };
        db.Add(view);
        await db.SaveChangesAsync(ct);
        return Row(view, owner);
    }

    /// <summary>The viewer's own views, then those others shared that the viewer may see, each by name.</summary>
    public async Task<IReadOnlyList<SavedViewRow>> ListAsync(ViewOwner viewer, CancellationToken ct = default)
    {
        var views = await Candidates().Where(v => v.OwnerId == viewer.Id || v.Shared).ToListAsync(ct);
        var seen = await SeenAsync(views, viewer, ct);
        return [.. seen.OrderBy(v => v.OwnerId == viewer.Id ? 0 : 1).ThenBy(v => v.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(v => v.Id).Select(v => Row(v, viewer))];
    }

    /// <summary>Where the view lands, if the viewer may open it (own, or shared and seen by the viewer); null otherwise.</summary>
    public async Task<string?> OpenAsync(int id, ViewOwner viewer, CancellationToken ct = default) =>
        await Candidates().FirstOrDefaultAsync(v => v.Id == id && (v.OwnerId == viewer.Id || v.Shared), ct) is { } view
        && (await SeenAsync([view], viewer, ct)).Count == 1
            ? Target(view).Href
            : null;

    public async Task<bool> RenameAsync(int id, ViewOwner owner, string? name, CancellationToken ct = default)
    {
        if (SavedViewTargets.CleanName(name) is not { } clean || await OwnAsync(id, owner, ct) is not { } view)
        {
            return false;
        }

        view.Name = clean;
        view.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<bool> ShareAsync(int id, ViewOwner owner, bool shared, CancellationToken ct = default)
    {
        if (await OwnAsync(id, owner, ct) is not { } view)
        {
            return false;
        }

        view.Shared = shared;
        view.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<bool> DeleteAsync(int id, ViewOwner owner, CancellationToken ct = default) =>
        await db.Set<SavedView>().Where(v => v.Id == id && v.OwnerId == owner.Id).ExecuteDeleteAsync(ct) > 0;

    private Task<SavedView?> OwnAsync(int id, ViewOwner owner, CancellationToken ct) =>
        db.Set<SavedView>().FirstOrDefaultAsync(v => v.Id == id && v.OwnerId == owner.Id, ct);

    /// <summary>
    /// Views with the dataset filter off: whether a view is seen is decided by <see cref="SeenAsync"/> (the owner always
    /// sees their own, whatever datasets it names; others by every dataset it names, a study's included).
    /// </summary>
    private IQueryable<SavedView> Candidates() => db.Set<SavedView>().IgnoreQueryFilters().AsNoTracking();

    /// <summary>
    /// Of <paramref name="views"/>, those the viewer sees: its own, and others' whose named datasets the viewer all reads
    /// (one question for all of them); a view that names no dataset is seen by everyone signed in.
    /// </summary>
    private async Task<List<SavedView>> SeenAsync(IReadOnlyList<SavedView> views, ViewOwner viewer, CancellationToken ct)
    {
        var named = views.Where(v => v.OwnerId != viewer.Id).ToDictionary(v => v.Id, v => Target(v).DatasetsNamed());
        var all = named.Values.SelectMany(n => n).Distinct(StringComparer.Ordinal).ToList();
        var read = all.Count == 0 ? null : await datasets.ReadAsync(all, ct);
        return [.. views.Where(v => v.OwnerId == viewer.Id || read is null || named[v.Id].All(read.Contains))];
    }

    private static SavedViewTarget Target(SavedView view) => new(view.Page, view.DatasetId, view.Query);

    private static SavedViewRow Row(SavedView view, ViewOwner viewer)
    {
        var target = Target(view);
        return new(view.Id, view.Name, target.PageName, target.Href, view.Shared, view.OwnerName, view.OwnerId == viewer.Id, view.UpdatedAt);
    }
}
