using System.Globalization;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Views;

namespace TraceViewer.Datasets;

/// <summary>
/// Answers saved views' question by the caller's datasets (<see cref="DatasetScope"/>, as every query does): a name is
/// read when it matches at least one dataset (by id, or by key) and every dataset it matches is one the caller reads.
/// One read of the named datasets, with the filters off, so a dataset the caller does not read is told from one that
/// does not exist only here and never shown.
/// </summary>
internal sealed class ViewDatasets(TraceViewerDbContext db) : IViewDatasets
{
    public async Task<IReadOnlySet<string>?> ReadAsync(IReadOnlyCollection<string> named, CancellationToken ct = default)
    {
        if (DatasetScope.Current is not { } visible)
        {
            return null;
        }

        var asId = named.Distinct(StringComparer.Ordinal).ToDictionary(n => n,
            n => int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : (int?)null, StringComparer.Ordinal);
        var ids = asId.Values.OfType<int>().Distinct().ToList();
        var keys = asId.Keys.ToList();
        var matches = await db.Set<Dataset>().IgnoreQueryFilters().AsNoTracking()
            .Where(d => ids.Contains(d.Id) || keys.Contains(d.Key))
            .Select(d => new { d.Id, d.Key }).ToListAsync(ct);
        var readable = visible.ToHashSet();
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in named)
        {
            var byName = matches.Where(d => d.Key == name || d.Id == asId[name]).ToList();
            if (byName.Count > 0 && byName.TrueForAll(d => readable.Contains(d.Id)))
            {
                read.Add(name);
            }
        }

        return read;
    }
}
