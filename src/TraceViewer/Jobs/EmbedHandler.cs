using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Embeddings;
using TraceViewer.Resampling;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>
/// Embeds a trace's sentences and its resamples' first sentences, for the similarity filter of the counterfactual
/// metrics. One item per trace; vectors land in the embedding cache, then the trace's metrics are recomputed.
/// </summary>
internal sealed class EmbedHandler(TraceViewerDbContext db, EmbeddingService embeddings, ProviderGates gates, Microsoft.Extensions.Options.IOptions<EmbeddingOptions> options)
    : IJobItemHandler
{
    public async Task<JobPlan> PlanAsync(JobRequest request, CancellationToken ct)
    {
        if (!embeddings.HasModel || string.IsNullOrEmpty(options.Value.Provider))
        {
            return JobPlan.Invalid("kind", "No embedding provider is configured (Embeddings:Provider).");
        }

        var traces = await db.Set<Trace>().AsNoTracking()
            .Where(t => request.TraceId != null ? t.Id == request.TraceId : t.DatasetId == request.DatasetId)
            .OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(ct);
        if (traces.Count == 0)
        {
            return request.TraceId is not null
                ? JobPlan.Invalid("traceId", $"There is no trace with id {request.TraceId}.")
                : JobPlan.Invalid("datasetId", $"There is no dataset with id {request.DatasetId}, or it has no traces.");
        }

        return new JobPlan([.. traces.Select(id => new PlannedItem(id, 0, 0))], Provider: options.Value.Provider, Model: embeddings.ModelName);
    }

    public async Task<JobItemResult> RunAsync(JobWork work, CancellationToken ct)
    {
        var sentences = await db.Set<Sentence>().AsNoTracking().Where(s => s.TraceId == work.TraceId).Select(s => s.Text).ToListAsync(ct);
        var alternatives = await db.Set<Resample>().AsNoTracking()
            .Where(r => r.TraceId == work.TraceId && r.FirstSentence != null).Select(r => r.FirstSentence!).ToListAsync(ct);
        var texts = sentences.Concat(alternatives).Distinct(StringComparer.Ordinal).ToList();
        using (await gates.For(work.Job.Provider).EnterAsync(texts.Sum(t => t.Length) / 4, ct))
        {
            try
            {
                await embeddings.GetAsync(texts, ct);
            }
            catch (System.ClientModel.ClientResultException e) when (!ct.IsCancellationRequested)
            {
                throw new ModelCallException($"Embedding request failed: HTTP {e.Status}", e.Status is 0 or 408 or 429 or >= 500, e.Status, inner: e);
            }
            catch (DbUpdateException e)
            {
                // Another item cached one of the same texts first; the next attempt finds it cached.
                throw new ModelCallException("Embedding cache conflict: " + e.InnerException?.Message, retryable: true, inner: e);
            }
        }

        return NothingToWrite.Instance;
    }
}
