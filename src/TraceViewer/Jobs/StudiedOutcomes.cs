using Microsoft.EntityFrameworkCore;
using TraceViewer.MetricSets;
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
        return trace is null ? new([], null) : await LoadAsync(db, traceId, trace.Primary, trace.Metadata, ct);
    }

    /// <summary>As <see cref="LoadAsync(TraceViewerDbContext, int, CancellationToken)"/> for a trace already read: one query.</summary>
    internal static async Task<StudiedOutcomes> LoadAsync(TraceViewerDbContext db, int traceId, int? primary, string? metadata, CancellationToken ct)
    {
        var keys = await db.Set<Outcome>().AsNoTracking()
            .Where(o => o.Id == primary
                || db.Set<TraceLabel>().Any(l => l.TraceId == traceId && l.OutcomeId == o.Id)
                || db.Set<MetricSet>().Any(m => m.TraceId == traceId && m.OutcomeId == o.Id)
                || db.Set<ResampleLabel>().Any(l => l.OutcomeId == o.Id && db.Set<Resample>().Any(r => r.Id == l.ResampleId && r.TraceId == traceId)))
            .Select(o => new { o.Id, o.Key })
            .ToListAsync(ct);
        var ordered = keys.OrderBy(k => k.Id == primary ? 0 : 1).ThenBy(k => KnownOrder(k.Key)).ThenBy(k => k.Key, StringComparer.Ordinal)
            .Select(k => k.Key).ToList();
        return new(ordered.Count == 0 ? [OutcomeRegistry.Compliance] : ordered, TraceFacts.FromMetadata(metadata)?.GroundTruth);
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
