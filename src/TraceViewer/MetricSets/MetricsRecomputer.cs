using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Embeddings;
using TraceViewer.Metrics.Engine;
using TraceViewer.Statistics;
using TraceViewer.Traces;

namespace TraceViewer.MetricSets;

/// <summary>What one recompute wrote: the metric set per outcome and the similarity it used.</summary>
internal sealed record RecomputeResult(int MetricSetId, int OutcomeId, string EmbeddingModel, int Resamples, int Sentences);

/// <summary>
/// Recomputes a trace's per-sentence metrics from its stored, labelled resamples and records them with
/// their provenance. A new computed set replaces the previous one made with the same parameters.
/// </summary>
internal sealed partial class MetricsRecomputer(
    TraceViewerDbContext db, EmbeddingService embeddings, SimilarityCache similarities, TimeProvider clock, ILogger<MetricsRecomputer> logger)
{
    /// <summary>The first key of the PostgreSQL advisory locks that take turns recomputing a trace (the second is its id).</summary>
    private const int RecomputeLockSpace = 0x7456_4d01;

    /// <summary>
    /// Call whenever a trace's resamples or their labels change: recomputes every computed set the trace
    /// already has, with that set's own parameters (threshold, mode, alpha), or the defaults when it has none.
    /// </summary>
    public async Task<IReadOnlyList<RecomputeResult>> RecomputeTraceAsync(int traceId, CancellationToken ct)
    {
        var stored = await db.Set<MetricSet>().AsNoTracking()
            .Where(m => m.TraceId == traceId && m.Source == MetricSource.Computed)
            .Select(m => new { m.Threshold, m.Alpha, m.Parameters })
            .ToListAsync(ct);
        var parameters = stored.Select(s => MetricsParametersJson.Parse(s.Parameters, s.Threshold, s.Alpha)).Distinct().ToList();
        return await RecomputeAsync(traceId, parameters.Count == 0 ? [MetricsParameters.TraceViewerDefaults] : parameters, ct);
    }

    public Task<IReadOnlyList<RecomputeResult>> RecomputeTraceAsync(int traceId, MetricsParameters parameters, CancellationToken ct) =>
        RecomputeAsync(traceId, [parameters], ct);

    private async Task<IReadOnlyList<RecomputeResult>> RecomputeAsync(int traceId, IReadOnlyList<MetricsParameters> parameterSets, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        // Instances sharing a PostgreSQL database recompute one trace in turn, each reading the resamples once the one
        // before has stored its sets: the last to run saw every result stored before it started, and replaces the
        // others' sets instead of adding beside them. (On SQLite the transaction would hold the only write lock for
        // the whole computation, so it starts after the reading.)
        await using var locked = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(ct) : null;
        if (locked is not null)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({RecomputeLockSpace}, {traceId})", ct);
        }

        var inputs = await TraceInputs.LoadAsync(db, traceId, ct);
        var outcomes = inputs.Outcomes;
        if (inputs.Sentences.Count == 0 || outcomes.Count == 0)
        {
            return [];
        }

        var pairs = inputs.Pairs();
        var (similarity, embeddingModel) = await SimilarityAsync(pairs.Select(p => p.Sentence).Concat(pairs.Select(p => p.First)), ct);
        // Every pair once; the table also serves later pages that ask for another threshold.
        var table = SimilarityCache.Build(pairs, similarity);
        similarities.Set(traceId, embeddingModel, table);
        var lookup = SimilarityCache.Lookup(table, similarity);

        var results = new List<RecomputeResult>();
        var now = clock.GetUtcNow();
        await using var transaction = locked ?? await db.Database.BeginTransactionAsync(ct);
        foreach (var parameters in parameterSets)
        {
            foreach (var outcomeId in outcomes)
            {
                var members = inputs.Members(outcomeId);
                var metrics = MetricsEngine.Compute(inputs.Positions(members), lookup, parameters);

                await db.Set<MetricSet>()
                    .Where(m => m.TraceId == traceId && m.OutcomeId == outcomeId && m.Source == MetricSource.Computed
                        && m.Threshold == parameters.Threshold && m.EmbeddingModel == embeddingModel)
                    .ExecuteDeleteAsync(ct);
                var set = new MetricSet
                {
                    TraceId = traceId,
                    OutcomeId = outcomeId,
                    Source = MetricSource.Computed,
                    Threshold = parameters.Threshold,
                    EmbeddingModel = embeddingModel,
                    Alpha = parameters.Alpha,
                    Parameters = MetricsParametersJson.Serialize(parameters),
                    ResampleCount = members.Count,
                    ResampleSetHash = TraceInputs.Hash(members),
                    ImportedResamples = members.Count(m => m.Origin == TraceViewer.Resampling.ResampleOrigin.Imported),
                    GeneratedResamples = members.Count(m => m.Origin == TraceViewer.Resampling.ResampleOrigin.Generated),
                    ComputedAt = now,
                    Values = [.. metrics.Chunks.SelectMany(Rows)],
                };
                db.Add(set);
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                results.Add(new RecomputeResult(set.Id, outcomeId, embeddingModel, members.Count, inputs.Sentences.Count));
            }
        }

        await UpdateMaxImportanceAsync(traceId, results, ct);
        await transaction.CommitAsync(ct);
        var elapsed = clock.GetElapsedTime(started).TotalMilliseconds;
        LogRecomputed(traceId, outcomes.Count, inputs.Rows.Count, embeddingModel, elapsed);
        return results;
    }

    /// <summary>Embeddings when a model is configured or imported vectors cover every text; otherwise the labelled lexical fallback.</summary>
    private async Task<(Func<string, string, double> Similarity, string Model)> SimilarityAsync(IEnumerable<string> texts, CancellationToken ct)
    {
        var distinct = texts.Distinct(StringComparer.Ordinal).ToList();
        if (embeddings.HasModel)
        {
            var vectors = await embeddings.GetAsync(distinct, ct);
            return (new SentenceEmbeddings(vectors).Cosine, embeddings.ModelName);
        }

        if (await embeddings.FindCoveringCachedAsync(distinct, ct) is { } imported)
        {
            return (new SentenceEmbeddings(imported.Vectors).Cosine, imported.Model);
        }

        return (LexicalSimilarity.Cosine, LexicalSimilarity.ModelName);
    }

    /// <summary>The stored rows of one sentence's metrics; undefined values (and any that are not finite) are left out.</summary>
    internal static IEnumerable<SentenceMetric> Rows(ChunkMetrics c) => AllRows(c).Where(r => double.IsFinite(r.Value));

    private static IEnumerable<SentenceMetric> AllRows(ChunkMetrics c)
    {
        var prefix = c.Prefix.Count == 0 ? (Interval?)null : c.Prefix.Wilson;
        if (c.Prefix.Count > 0)
        {
            yield return Row(c.Index, MetricNames.PrefixRate, c.Prefix.Rate, c.Prefix.Count, c.Prefix.Successes, prefix);
        }

        if (c.Resampling.Defined)
        {
            yield return Row(c.Index, MetricNames.ResamplingEffect, c.Resampling.Value, c.Resampling.Without?.Count, null, c.Resampling.Interval);
            yield return Row(c.Index, MetricNames.ResamplingKl, c.ResamplingKl, null, null, null);
        }

        if (c.Counterfactual.Defined)
        {
            yield return Row(c.Index, MetricNames.CounterfactualEffect, c.Counterfactual.Value, c.Counterfactual.Without?.Count, null, c.Counterfactual.Interval);
            yield return Row(c.Index, MetricNames.CounterfactualKl, c.CounterfactualKl, null, null, null);
        }

        if (c.ComparedCount > 0)
        {
            yield return Row(c.Index, MetricNames.DissimilarFraction, c.DissimilarFraction, c.ComparedCount, c.DissimilarCount, null);
            yield return Row(c.Index, MetricNames.Overdeterminedness, c.Overdeterminedness, c.ComparedCount, null, null);
        }
    }

    private static SentenceMetric Row(int index, string name, double value, int? count, int? successes, Interval? interval) => new()
    {
        SentenceIndex = index,
        Name = name,
        Value = value,
        Count = count,
        Successes = successes,
        Low = Web.FiniteNumbers.OrNull(interval?.Low),
        High = Web.FiniteNumbers.OrNull(interval?.High),
    };

    /// <summary>Keeps the trace list's "largest importance" sort in step with the numbers the trace page shows for the primary outcome.</summary>
    private async Task UpdateMaxImportanceAsync(int traceId, List<RecomputeResult> results, CancellationToken ct)
    {
        var primary = await db.Set<Trace>().Where(t => t.Id == traceId)
            .Select(t => db.Set<Dataset>().Where(d => d.Id == t.DatasetId).Select(d => d.PrimaryOutcomeId).FirstOrDefault())
            .FirstOrDefaultAsync(ct);
        var outcome = primary is { } p && results.Any(r => r.OutcomeId == p) ? p : results[0].OutcomeId;
        var shown = await ShownMetricSets.LoadAsync(
            db.Set<MetricSet>().Where(m => m.TraceId == traceId && m.OutcomeId == outcome), MetricSetPolicy.Default, ct);
        var setId = shown.TryGetValue((traceId, outcome), out var set) ? set.Id : 0;
        var effects = await db.Set<SentenceMetric>().AsNoTracking()
            .Where(v => v.MetricSetId == setId && (v.Name == MetricNames.CounterfactualEffect || v.Name == MetricNames.ResamplingEffect || v.Name == MetricNames.DissimilarFraction))
            .Select(v => new { v.SentenceIndex, v.Name, v.Value })
            .ToListAsync(ct);
        var max = ShownMetricSets.MaxImportance(effects.Select(e => (e.SentenceIndex, e.Name, e.Value)));
        await db.Set<Trace>().Where(t => t.Id == traceId).ExecuteUpdateAsync(s => s.SetProperty(t => t.MaxImportance, max), ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recomputed metrics of trace {TraceId} for {Outcomes} outcome(s) from {Resamples} resamples with {EmbeddingModel} in {ElapsedMs} ms")]
    private partial void LogRecomputed(int traceId, int outcomes, int resamples, string embeddingModel, double elapsedMs);
}
