using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Embeddings;
using TraceViewer.Metrics.Engine;
using TraceViewer.Resampling;
using TraceViewer.Statistics;
using TraceViewer.Traces;

namespace TraceViewer.Metrics;

/// <summary>What one recompute wrote: the metric set per outcome and the similarity it used.</summary>
internal sealed record RecomputeResult(int MetricSetId, int OutcomeId, string EmbeddingModel, int Resamples, int Sentences);

/// <summary>
/// Recomputes a trace's per-sentence metrics from its stored, labelled resamples and records them with
/// their provenance. A new computed set replaces the previous one made with the same parameters.
/// </summary>
internal sealed partial class MetricsRecomputer(TraceViewerDbContext db, EmbeddingService embeddings, TimeProvider clock, ILogger<MetricsRecomputer> logger)
{
    private sealed record ResampleRow(int Position, string? FirstSentence, string? Answer, string? Error, int? OutcomeId, bool? IsPositive);

    public Task<IReadOnlyList<RecomputeResult>> RecomputeTraceAsync(int traceId, CancellationToken ct) =>
        RecomputeTraceAsync(traceId, MetricsParameters.TraceViewerDefaults, ct);

    public async Task<IReadOnlyList<RecomputeResult>> RecomputeTraceAsync(int traceId, MetricsParameters parameters, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var sentences = await db.Set<Sentence>().AsNoTracking().Where(s => s.TraceId == traceId)
            .OrderBy(s => s.Index).Select(s => new { s.Index, s.Text }).ToListAsync(ct);
        var rows = await (
            from r in db.Set<Resample>().AsNoTracking().Where(r => r.TraceId == traceId)
            from l in r.Labels.DefaultIfEmpty()
            select new ResampleRow(r.Position, r.FirstSentence, r.Answer, r.Error, l == null ? null : l.OutcomeId, l == null ? null : l.IsPositive))
            .ToListAsync(ct);
        var outcomes = rows.Where(r => r.OutcomeId is not null).Select(r => r.OutcomeId!.Value).Distinct().Order().ToList();
        if (sentences.Count == 0 || outcomes.Count == 0)
        {
            return [];
        }

        var texts = sentences.Select(s => s.Text).Concat(rows.Where(r => r.FirstSentence is not null).Select(r => r.FirstSentence!));
        var (similarity, embeddingModel) = await SimilarityAsync(texts, ct);
        var results = new List<RecomputeResult>();
        var now = clock.GetUtcNow();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var outcomeId in outcomes)
        {
            // Errored generations count as errors for every outcome; others only where they carry this outcome's label.
            var members = rows.Where(r => r.OutcomeId == outcomeId || (r.Error is not null && r.OutcomeId is null)).ToList();
            var byPosition = members.ToLookup(r => r.Position);
            var positions = sentences.Select(s => new PositionInput(
                s.Index,
                s.Text,
                byPosition.Contains(s.Index)
                    ? byPosition[s.Index].Select(r => new ResampleInput(r.FirstSentence, r.Answer, r.IsPositive, r.Error is not null)).ToList()
                    : null)).ToList();
            var metrics = MetricsEngine.Compute(positions, similarity, parameters);

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
                Parameters = JsonSerializer.Serialize(new
                {
                    mode = parameters.Mode.ToString(),
                    resamplingNext = parameters.ResamplingNext.ToString(),
                    useSimilarInNext = parameters.UseSimilarInNext,
                    minimumDissimilarFraction = parameters.MinimumDissimilarFraction,
                }),
                ResampleCount = members.Count,
                ResampleSetHash = Hash(members),
                ComputedAt = now,
                Values = metrics.Chunks.SelectMany(Rows).ToList(),
            };
            db.Add(set);
            await db.SaveChangesAsync(ct);
            results.Add(new RecomputeResult(set.Id, outcomeId, embeddingModel, members.Count, sentences.Count));
        }

        await UpdateMaxImportanceAsync(traceId, results, ct);
        await transaction.CommitAsync(ct);
        var elapsed = clock.GetElapsedTime(started).TotalMilliseconds;
        LogRecomputed(traceId, results.Count, rows.Count, embeddingModel, elapsed);
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

    private static IEnumerable<SentenceMetric> Rows(ChunkMetrics c)
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
        Low = interval?.Low,
        High = interval?.High,
    };

    /// <summary>Identifies the resample set a number was computed from.</summary>
    private static string Hash(IEnumerable<ResampleRow> rows)
    {
        var text = new StringBuilder();
        foreach (var r in rows.OrderBy(r => r.Position).ThenBy(r => r.FirstSentence, StringComparer.Ordinal).ThenBy(r => r.IsPositive))
        {
            text.Append(r.Position).Append('\u001f').Append(r.FirstSentence).Append('\u001f').Append(r.Answer)
                .Append('\u001f').Append(r.IsPositive).Append('\u001f').Append(r.Error is not null).Append('\u001e');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Keeps the trace list's "largest importance" sort in step with the newest numbers of the primary outcome.</summary>
    private async Task UpdateMaxImportanceAsync(int traceId, List<RecomputeResult> results, CancellationToken ct)
    {
        var primary = await db.Set<Trace>().Where(t => t.Id == traceId)
            .Select(t => db.Set<Dataset>().Where(d => d.Id == t.DatasetId).Select(d => d.PrimaryOutcomeId).FirstOrDefault())
            .FirstOrDefaultAsync(ct);
        var set = results.FirstOrDefault(r => r.OutcomeId == primary) ?? results[0];
        var effects = await db.Set<SentenceMetric>().AsNoTracking()
            .Where(v => v.MetricSetId == set.MetricSetId && (v.Name == MetricNames.CounterfactualEffect || v.Name == MetricNames.ResamplingEffect || v.Name == MetricNames.DissimilarFraction))
            .Select(v => new { v.SentenceIndex, v.Name, v.Value })
            .ToListAsync(ct);
        double? max = null;
        foreach (var sentence in effects.GroupBy(e => e.SentenceIndex))
        {
            var values = sentence.ToDictionary(e => e.Name, e => e.Value);
            var usable = values.TryGetValue(MetricNames.CounterfactualEffect, out var cf)
                && (!values.TryGetValue(MetricNames.DissimilarFraction, out var df) || df > MetricsParameters.TraceViewerDefaults.MinimumDissimilarFraction);
            var effect = usable ? cf : values.GetValueOrDefault(MetricNames.ResamplingEffect);
            max = Math.Max(max ?? 0, Math.Abs(effect));
        }

        await db.Set<Trace>().Where(t => t.Id == traceId).ExecuteUpdateAsync(s => s.SetProperty(t => t.MaxImportance, max), ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recomputed metrics of trace {TraceId} for {Outcomes} outcome(s) from {Resamples} resamples with {EmbeddingModel} in {ElapsedMs} ms")]
    private partial void LogRecomputed(int traceId, int outcomes, int resamples, string embeddingModel, double elapsedMs);
}
