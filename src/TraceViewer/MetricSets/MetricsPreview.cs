using TraceViewer.Data;
using TraceViewer.Embeddings;
using TraceViewer.Metrics.Engine;

namespace TraceViewer.MetricSets;

/// <summary>Metrics of one outcome computed for display only, with what they were computed from.</summary>
internal sealed record PreviewSet(int OutcomeId, string EmbeddingModel, MetricsParameters Parameters, int ResampleCount, IReadOnlyList<SentenceMetric> Values);

/// <summary>
/// Computes a trace's metrics at a threshold no stored set has, from the stored resamples, without storing
/// them (the recompute button stores them). It never calls an embedding endpoint: it uses the cached
/// similarities or vectors of the model the stored numbers were made with, else the lexical fallback.
/// </summary>
internal sealed class MetricsPreview(TraceViewerDbContext db, EmbeddingService embeddings, SimilarityCache similarities)
{
    /// <param name="version">Changes whenever the trace's stored resamples may have (import, recompute); keys the cached inputs.</param>
    public async Task<IReadOnlyList<PreviewSet>> ComputeAsync(
        int traceId, string version, MetricsParameters parameters, string? preferredModel, IReadOnlyCollection<int> outcomeIds, CancellationToken ct,
        TraceViewer.Resampling.ResampleOrigin? origin = null)
    {
        var prepared = similarities.GetInputs(traceId, version);
        if (prepared is null)
        {
            var inputs = await TraceInputs.LoadAsync(db, traceId, ct);
            // Only the resamples of one source (imported or generated), when the reader chose one.
            prepared = PreparedInputs.From(version, origin is null ? inputs : inputs with { Rows = [.. inputs.Rows.Where(r => r.Origin == origin)] });
            similarities.SetInputs(traceId, prepared);
        }

        var outcomes = prepared.ByOutcome.Keys.Where(outcomeIds.Contains).Order().ToList();
        if (prepared.Inputs.Sentences.Count == 0 || outcomes.Count == 0)
        {
            return [];
        }

        var (similarity, model) = await SimilarityAsync(traceId, prepared.Pairs, preferredModel, ct);
        var sets = new List<PreviewSet>(outcomes.Count);
        foreach (var outcomeId in outcomes)
        {
            var (count, positions) = prepared.ByOutcome[outcomeId];
            var metrics = MetricsEngine.Compute(positions, similarity, parameters);
            sets.Add(new PreviewSet(outcomeId, model, parameters, count, [.. metrics.Chunks.SelectMany(MetricsRecomputer.Rows)]));
        }

        return sets;
    }

    /// <summary>
    /// The similarity of <paramref name="sentence"/> to each of <paramref name="firsts"/> under <paramref name="model"/>,
    /// as the metrics compare them, from what is at hand (the lexical measure, the cached pairs or cached vectors); null
    /// when the model's vectors are not all cached, since a page never waits on an embedding endpoint.
    /// </summary>
    /// <param name="memo">Vectors a page looked up before; without it every call reads the cache table.</param>
    public async Task<IReadOnlyDictionary<string, double>?> SimilaritiesAsync(
        int traceId, string model, string sentence, IReadOnlyCollection<string> firsts, CancellationToken ct, VectorMemo? memo = null)
    {
        Func<string, string, double> similarity;
        if (model == LexicalSimilarity.ModelName)
        {
            similarity = LexicalSimilarity.Cosine;
        }
        else if (similarities.Get(traceId, model) is { } cached && firsts.All(f => cached.ContainsKey((sentence, f))))
        {
            similarity = (s, f) => cached[(s, f)];
        }
        else
        {
            var texts = firsts.Append(sentence).Distinct(StringComparer.Ordinal).ToList();
            var vectors = memo is null
                ? await embeddings.GetCachedAsync(model, texts, ct)
                : await memo.GetAsync(model, texts, (m, t, c) => embeddings.GetCachedAsync(m, t, c), ct);
            if (vectors.Count != texts.Count)
            {
                return null;
            }

            similarity = new SentenceEmbeddings(vectors).Cosine;
        }

        return firsts.Distinct(StringComparer.Ordinal).ToDictionary(f => f, f => similarity(sentence, f), StringComparer.Ordinal);
    }

    private async Task<(Func<string, string, double> Similarity, string Model)> SimilarityAsync(
        int traceId, HashSet<(string Sentence, string First)> pairs, string? preferredModel, CancellationToken ct)
    {
        var candidates = new[] { preferredModel, embeddings.HasModel ? embeddings.ModelName : null }
            .OfType<string>().Distinct(StringComparer.Ordinal);
        foreach (var model in candidates)
        {
            if (model == LexicalSimilarity.ModelName)
            {
                break;
            }

            if (similarities.Get(traceId, model) is { } cached && pairs.All(cached.ContainsKey))
            {
                return (SimilarityCache.Lookup(cached, LexicalSimilarity.Cosine), model);
            }

            // Vectors are only read from the cache here; a page view never waits on an embedding endpoint.

            var texts = pairs.Select(p => p.Sentence).Concat(pairs.Select(p => p.First)).Distinct(StringComparer.Ordinal).ToList();
            var vectors = await embeddings.GetCachedAsync(model, texts, ct);
            if (vectors.Count == texts.Count)
            {
                return (Table(traceId, model, pairs, new SentenceEmbeddings(vectors).Cosine), model);
            }
        }

        return (Table(traceId, LexicalSimilarity.ModelName, pairs, LexicalSimilarity.Cosine), LexicalSimilarity.ModelName);
    }

    /// <summary>The cached table when it covers every pair, else a new one.</summary>
    private Func<string, string, double> Table(
        int traceId, string model, HashSet<(string Sentence, string First)> pairs, Func<string, string, double> similarity)
    {
        if (similarities.Get(traceId, model) is not { } table || !pairs.All(table.ContainsKey))
        {
            table = SimilarityCache.Build(pairs, similarity);
            similarities.Set(traceId, model, table);
        }

        return SimilarityCache.Lookup(table, similarity);
    }
}
