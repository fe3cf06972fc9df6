using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using TraceViewer.Data;
using TraceViewer.MetricSets;
using TraceViewer.Traces;

namespace TraceViewer.Search;

/// <summary>
/// Keeps <see cref="SearchEffect"/> equal to what <see cref="ShownMetricSets"/> picks. <see cref="SearchEffectsInterceptor"/> calls
/// <see cref="TouchedTraces"/> before it saves and <see cref="RefreshAsync"/> after, in the same transaction, whenever
/// metric sets or their values were added, changed or removed, so every writer (import, recompute, jobs) is covered
/// without knowing of it. Writers that delete with ExecuteDelete rely on the cascades; the import, which writes its rows
/// in bulk, names its traces through <see cref="Data.ITracesWritten"/>.
/// </summary>
internal static class SearchEffectsSync
{
    private const int Batch = 400;

    private static readonly string[] Names =
    [
        MetricNames.CounterfactualEffect, MetricNames.ResamplingEffect, MetricNames.DissimilarFraction,
        MetricNames.CounterfactualKl, MetricNames.ResamplingKl,
    ];

    /// <summary>What a save touches: metric sets and sentences (trace ids read after the save, when new ones have them) and values.</summary>
    internal sealed record Touched(List<MetricSet> Sets, List<Sentence> Sentences, HashSet<int> TraceIds, HashSet<int> SetIds)
    {
        public bool IsEmpty => Sets.Count == 0 && Sentences.Count == 0 && TraceIds.Count == 0 && SetIds.Count == 0;
    }

    public static Touched TouchedTraces(ChangeTracker tracker)
    {
        var touched = new Touched([], [], [], []);
        foreach (var entry in tracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            switch (entry.Entity)
            {
                case MetricSet set:
                    touched.Sets.Add(set);
                    if (entry.State != EntityState.Added)
                    {
                        touched.TraceIds.Add((int)entry.OriginalValues[nameof(MetricSet.TraceId)]!);
                    }

                    break;
                case Sentence sentence:
                    touched.Sentences.Add(sentence);
                    break;
                case SentenceMetric value:
                    touched.SetIds.Add(value.MetricSetId);
                    break;
            }
        }

        return touched;
    }

    /// <summary>Refreshes the traces a save touched; called after the save, when new rows have their ids.</summary>
    public static async Task RefreshAsync(TraceViewerDbContext db, Touched touched, CancellationToken ct)
    {
        var traceIds = new HashSet<int>(touched.TraceIds);
        traceIds.UnionWith(touched.Sets.Select(s => s.TraceId));
        traceIds.UnionWith(touched.Sentences.Select(s => s.TraceId));
        var unknownSets = touched.SetIds.Where(id => id > 0 && touched.Sets.All(s => s.Id != id)).ToList();
        if (unknownSets.Count > 0)
        {
            traceIds.UnionWith(await db.Set<MetricSet>().Where(m => unknownSets.Contains(m.Id)).Select(m => m.TraceId).ToListAsync(ct));
        }

        await RefreshAsync(db, traceIds, ct);
    }

    /// <summary>Rewrites the shown effects of <paramref name="traceIds"/> from their stored metric sets.</summary>
    public static async Task RefreshAsync(TraceViewerDbContext db, IReadOnlyCollection<int> traceIds, CancellationToken ct)
    {
        foreach (var chunk in traceIds.Where(id => id > 0).Distinct().Chunk(Batch))
        {
            var rows = await ComputeAsync(db, chunk, ct);
            await db.Set<SearchEffect>().Where(e => chunk.Contains(e.TraceId)).ExecuteDeleteAsync(ct);
            await InsertAsync(db, rows, ct);
        }
    }

    /// <summary>Fills the table once for a database that has metric sets from before it existed.</summary>
    public static async Task EnsureBuiltAsync(TraceViewerDbContext db, CancellationToken ct)
    {
        if (!await db.Set<SearchEffect>().AnyAsync(ct) && await db.Set<MetricSet>().AnyAsync(ct))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await RebuildAllAsync(db, ct);
            await transaction.CommitAsync(ct);
        }
    }

    /// <summary>Rewrites every trace's shown effects (after a migration, or to repair).</summary>
    public static async Task RebuildAllAsync(TraceViewerDbContext db, CancellationToken ct)
    {
        var ids = await db.Set<Trace>().Select(t => t.Id).ToListAsync(ct);
        await db.Set<SearchEffect>().ExecuteDeleteAsync(ct);
        foreach (var chunk in ids.Chunk(Batch))
        {
            await InsertAsync(db, await ComputeAsync(db, chunk, ct), ct);
        }
    }

    /// <summary>The rows the rule gives for <paramref name="traceIds"/>, computed in memory from the stored sets.</summary>
    internal static async Task<List<SearchEffect>> ComputeAsync(TraceViewerDbContext db, IReadOnlyCollection<int> traceIds, CancellationToken ct)
    {
        var shown = await ShownMetricSets.LoadAsync(
            db.Set<MetricSet>().Where(m => traceIds.Contains(m.TraceId)), MetricSetPolicy.Default, ct);
        if (shown.Count == 0)
        {
            return [];
        }

        var setIds = shown.Values.Select(s => s.Id).ToList();
        var values = (await db.Set<SentenceMetric>().AsNoTracking()
                .Where(v => setIds.Contains(v.MetricSetId) && Names.Contains(v.Name))
                .Select(v => new { v.MetricSetId, v.SentenceIndex, v.Name, v.Value })
                .ToListAsync(ct))
            .ToLookup(v => (v.MetricSetId, v.SentenceIndex));
        var sentences = (await db.Set<Sentence>().AsNoTracking()
                .Where(s => traceIds.Contains(s.TraceId))
                .Select(s => new { s.Id, s.TraceId, s.Index })
                .ToListAsync(ct))
            .ToLookup(s => s.TraceId);

        var rows = new List<SearchEffect>();
        foreach (var set in shown.Values)
        {
            foreach (var sentence in sentences[set.TraceId])
            {
                double? cf = null, rs = null, df = null, ckl = null, rkl = null;
                foreach (var v in values[(set.Id, sentence.Index)])
                {
                    switch (v.Name)
                    {
                        case MetricNames.CounterfactualEffect: cf = v.Value; break;
                        case MetricNames.ResamplingEffect: rs = v.Value; break;
                        case MetricNames.DissimilarFraction: df = v.Value; break;
                        case MetricNames.CounterfactualKl: ckl = v.Value; break;
                        case MetricNames.ResamplingKl: rkl = v.Value; break;
                    }
                }

                var influence = ShownMetricSets.Influence(cf, rs, df);
                // The KL of the same kind as the effect the rule shows (ShownMetricSets.Influence's condition).
                var counterfactualDefined = cf is { } c && double.IsFinite(c) && df is not (<= ShownMetricSets.MinimumDissimilarFraction);
                rows.Add(new SearchEffect
                {
                    SentenceId = sentence.Id,
                    OutcomeId = set.OutcomeId,
                    TraceId = set.TraceId,
                    SentenceIndex = sentence.Index,
                    MetricSetId = set.Id,
                    Directional = influence.Effect,
                    Resampling = Finite(rs),
                    DirectionalRank = influence.Effect is { } e ? Math.Abs(e) : SearchEffect.Missing,
                    ResamplingRank = Finite(rs) is { } r ? Math.Abs(r) : SearchEffect.Missing,
                    KlRank = Finite(counterfactualDefined ? ckl : rkl) ?? SearchEffect.Missing,
                });
            }
        }

        return rows;
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static async Task InsertAsync(TraceViewerDbContext db, List<SearchEffect> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        // Inside a transaction (an import, the interceptor's refresh) the rows go in bulk, not through the change tracker.
        if (db.Database.CurrentTransaction is not null)
        {
            await Import.BulkCopy.WriteAsync(db, rows, ct);
            return;
        }

        var tracking = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            db.AddRange(rows);
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            foreach (var row in rows)
            {
                db.Entry(row).State = EntityState.Detached;
            }

            db.ChangeTracker.AutoDetectChangesEnabled = tracking;
        }
    }
}
