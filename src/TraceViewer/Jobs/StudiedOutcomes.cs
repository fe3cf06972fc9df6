using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Metrics;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>The outcomes a trace is studied for and its ground-truth answer: what decides how its new resamples are labelled.</summary>
public sealed record StudiedOutcomes(IReadOnlyList<string> Keys, string? GroundTruth)
{
    /// <summary>
    /// Its dataset's primary outcome first, then every outcome its own labels, metric sets and resample labels use; compliance
    /// when it has none at all (a trace collected here, not labelled yet).
    /// </summary>
    internal static async Task<StudiedOutcomes> LoadAsync(TraceViewerDbContext db, int traceId, CancellationToken ct)
    {
        var trace = await db.Set<Trace>().AsNoTracking().Where(t => t.Id == traceId)
            .Select(t => new
            {
                t.Metadata,
                Primary = db.Set<Dataset>().Where(d => d.Id == t.DatasetId).Select(d => d.PrimaryOutcomeId).FirstOrDefault(),
            })
            .SingleOrDefaultAsync(ct);
        if (trace is null)
        {
            return new([], null);
        }

        var used = await db.Set<TraceLabel>().AsNoTracking().Where(l => l.TraceId == traceId).Select(l => l.OutcomeId)
            .Union(db.Set<MetricSet>().AsNoTracking().Where(m => m.TraceId == traceId).Select(m => m.OutcomeId))
            .Union(db.Set<ResampleLabel>().AsNoTracking().Where(l => db.Set<Resample>().Any(r => r.Id == l.ResampleId && r.TraceId == traceId)).Select(l => l.OutcomeId))
            .ToListAsync(ct);
        var ids = used.ToHashSet();
        if (trace.Primary is { } primary)
        {
            ids.Add(primary);
        }

        var keys = await db.Set<Outcome>().AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => new { o.Id, o.Key }).ToListAsync(ct);
        var ordered = keys.OrderBy(k => k.Id == trace.Primary ? 0 : 1).ThenBy(k => KnownOrder(k.Key)).ThenBy(k => k.Key, StringComparer.Ordinal)
            .Select(k => k.Key).ToList();
        return new(ordered.Count == 0 ? [OutcomeRegistry.Compliance] : ordered, TraceFacts.FromMetadata(trace.Metadata)?.GroundTruth);
    }

    private static int KnownOrder(string key)
    {
        for (var i = 0; i < OutcomeRegistry.Known.Count; i++)
        {
            if (OutcomeRegistry.Known[i].Key == key)
            {
                return i;
            }
        }

        return OutcomeRegistry.Known.Count;
    }
}
