using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Text;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>
/// Resampling (method.md §3): for each position i, n continuations from the original characters before sentence i,
/// each stored with its first sentence, final output, usage and compliance label.
/// </summary>
internal sealed class ResampleHandler(TraceViewerDbContext db, GatedModelClient model, TimeProvider clock) : IJobItemHandler
{
    public const int MaxItems = 1_000_000;

    public JobKind Kind => JobKind.Resample;

    public bool RecomputesMetrics => true;

    public async Task<JobPlan> PlanAsync(JobRequest request, CancellationToken ct)
    {
        var traces = await db.Set<Trace>().AsNoTracking()
            .Where(t => request.TraceId != null ? t.Id == request.TraceId : t.DatasetId == request.DatasetId)
            .OrderBy(t => t.Id)
            .Select(t => new { t.Id, Sentences = t.Sentences.Count })
            .ToListAsync(ct);
        if (traces.Count == 0)
        {
            return request.TraceId is not null
                ? JobPlan.Invalid("traceId", $"There is no trace with id {request.TraceId}.")
                : JobPlan.Invalid("datasetId", $"There is no dataset with id {request.DatasetId}, or it has no traces.");
        }

        var (from, to) = (request.Positions?.From, request.Positions?.To);
        if (from < 0 || to < 0 || from > to)
        {
            return JobPlan.Invalid("positions", "Positions must satisfy 0 <= from <= to.");
        }

        if (request.TraceId is not null && traces[0].Sentences <= (to ?? from ?? 0))
        {
            return JobPlan.Invalid("positions", $"The trace has {traces[0].Sentences} sentences: positions run from 0 to {traces[0].Sentences - 1}.");
        }

        var ids = traces.Select(t => t.Id).ToList();
        // New samples continue after any existing sample number at a position, so the idempotency key never collides.
        var taken = (await db.Set<Resample>().AsNoTracking().Where(r => ids.Contains(r.TraceId))
                .GroupBy(r => new { r.TraceId, r.Position }).Select(g => new { g.Key.TraceId, g.Key.Position, Max = g.Max(r => r.SampleIndex) }).ToListAsync(ct))
            .Concat(await db.Set<JobItem>().AsNoTracking().Where(i => i.TraceId != null && ids.Contains(i.TraceId.Value))
                .GroupBy(i => new { TraceId = i.TraceId!.Value, i.Position }).Select(g => new { g.Key.TraceId, g.Key.Position, Max = g.Max(i => i.SampleIndex) }).ToListAsync(ct))
            .GroupBy(x => (x.TraceId, x.Position))
            .ToDictionary(g => g.Key, g => g.Max(x => x.Max) + 1);

        var items = new List<PlannedItem>();
        foreach (var trace in traces)
        {
            var last = Math.Min(to ?? int.MaxValue, trace.Sentences - 1);
            for (var position = from ?? 0; position <= last; position++)
            {
                var start = taken.GetValueOrDefault((trace.Id, position));
                for (var j = 0; j < request.N; j++)
                {
                    items.Add(new PlannedItem(trace.Id, position, start + j));
                }

                if (items.Count > MaxItems)
                {
                    return JobPlan.Invalid("n", $"A job may hold at most {MaxItems:N0} requests.");
                }
            }
        }

        return items.Count == 0 ? JobPlan.Invalid("positions", "No trace has a sentence in that range.") : new JobPlan(items);
    }

    public async Task<JobItemResult> RunAsync(JobWork work, CancellationToken ct)
    {
        var trace = await db.Set<Trace>().AsNoTracking().Where(t => t.Id == work.TraceId)
            .Select(t => new { t.SystemPrompt, t.UserPrompt, t.Prompt, t.Response, t.Reasoning })
            .SingleOrDefaultAsync(ct) ?? throw new InvalidOperationException($"Trace {work.TraceId} no longer exists.");
        var sentence = await db.Set<Sentence>().AsNoTracking().Where(s => s.TraceId == work.TraceId && s.Index == work.Position)
            .Select(s => new { s.Start, s.Text })
            .SingleOrDefaultAsync(ct) ?? throw new InvalidOperationException($"Trace {work.TraceId} has no sentence {work.Position}.");
        var prefix = Prefix(trace.Response, trace.Reasoning, sentence.Start);
        var job = work.Job;
        var continuation = await TurnLoop.ContinueAsync(
            model, job.Provider, job.Model, trace.SystemPrompt, trace.UserPrompt ?? trace.Prompt, prefix, job.Parameters.Sampling, ct);

        var full = prefix + continuation.Text;
        var first = SentenceSplitter.Split(continuation.Text, 0, continuation.Text.Length);
        var compliance = ComplianceClassifier.Classify(full);
        return new ResampleResult(new Resample
        {
            TraceId = work.TraceId,
            Position = work.Position,
            SampleIndex = work.SampleIndex,
            FirstSentence = first.Count > 0 ? first[0].Text : null,
            Continuation = continuation.Text,
            FinalOutput = ScratchpadText.FinalOutput(full),
            Origin = "generated",
            PromptTokens = continuation.PromptTokens,
            CompletionTokens = continuation.CompletionTokens,
            CreatedAt = clock.GetUtcNow(),
            Metadata = JsonSerializer.Serialize(new
            {
                jobId = job.Id,
                provider = job.Provider,
                model = job.Model,
                endpoint = job.Parameters.Endpoint,
                prefixMode = job.Parameters.PrefixMode,
                prefillFlag = job.Parameters.PrefillFlag,
                temperature = job.Parameters.Sampling.Temperature,
                topP = job.Parameters.Sampling.TopP,
                maxTokens = job.Parameters.Sampling.MaxTokens,
                turns = continuation.Turns,
                finishReason = continuation.FinishReason,
                attempt = work.Attempt,
            }),
        }, compliance)
        {
            PromptTokens = continuation.PromptTokens,
            CompletionTokens = continuation.CompletionTokens,
        };
    }

    /// <summary>
    /// The original characters of the response before the sentence. Sentence offsets index the reasoning, which is a
    /// slice of the response (or, for some imports, its own text).
    /// </summary>
    internal static string Prefix(string response, string reasoning, int sentenceStart)
    {
        var offset = reasoning.Length == 0 ? 0 : response.IndexOf(reasoning, StringComparison.Ordinal);
        return offset >= 0 ? response[..(offset + sentenceStart)] : reasoning[..sentenceStart];
    }

    private sealed class ResampleResult(Resample resample, ComplianceResult compliance) : JobItemResult
    {
        public override async Task<int> StageAsync(JobWriteBatch batch, CancellationToken ct)
        {
            var exists = batch.Db.Set<Resample>().Local.Any(
                    r => r.TraceId == resample.TraceId && r.Position == resample.Position && r.SampleIndex == resample.SampleIndex)
                || await batch.Db.Set<Resample>().AnyAsync(
                r => r.TraceId == resample.TraceId && r.Position == resample.Position && r.SampleIndex == resample.SampleIndex, ct);
            if (exists)
            {
                return 0;
            }

            resample.Labels.Add(new ResampleLabel
            {
                OutcomeId = await batch.OutcomeIdAsync(OutcomeRegistry.Compliance, ct),
                Value = "marker:" + (compliance.IsCompliant is { } yes ? yes ? "yes" : "no" : "undetermined"),
                IsPositive = compliance.IsCompliant,
            });
            batch.Db.Add(resample);
            return 1;
        }
    }
}
