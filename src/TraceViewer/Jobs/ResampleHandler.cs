using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Collect;
using TraceViewer.Data;
using TraceViewer.Judging;
using TraceViewer.Outcomes;
using TraceViewer.Providers;
using TraceViewer.Resampling;
using TraceViewer.Text;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>
/// Resampling (method.md §3): for each position i, n continuations from the original characters before sentence i,
/// each stored with its first sentence, final output and usage, and labelled on every outcome the trace is studied for
/// by the classifier that outcome declares (<see cref="OutcomeLabelling"/>).
/// </summary>
internal sealed class ResampleHandler(
    TraceViewerDbContext db, ResampleSources sources, GatedModelClient model, ProviderRegistry providers, IOptions<JobsOptions> options, TimeProvider clock)
    : IJobItemHandler
{
    public const int MaxItems = 1_000_000;

    public async Task<JobPlan> PlanAsync(JobRequest request, CancellationToken ct)
    {
        var listed = request.TraceIds;
        var traces = await db.Set<Trace>().AsNoTracking()
            .Where(t => listed != null ? listed.Contains(t.Id) : request.TraceId != null ? t.Id == request.TraceId : t.DatasetId == request.DatasetId)
            .OrderBy(t => t.Id)
            .Select(t => new { t.Id, t.DatasetId, Sentences = t.Sentences.Count })
            .ToListAsync(ct);
        if (listed is not null && JobTargets.Missing(listed, traces.Select(t => t.Id)) is { } missing)
        {
            return JobPlan.Invalid("traceIds", missing);
        }

        if (traces.Count == 0)
        {
            return request.TraceId is not null
                ? JobPlan.Invalid("traceId", $"There is no trace with id {request.TraceId}.")
                : JobPlan.Invalid("datasetId", $"There is no dataset with id {request.DatasetId}, or it has no traces.");
        }

        var (from, to) = (request.Positions?.From, request.Positions?.To);
        // For a dataset only the order of the bounds is checked here: traces shorter than the range are resampled where they reach.
        if (JobRules.Positions(from, to, request.TraceId is not null ? traces[0].Sentences : int.MaxValue) is { } error)
        {
            return JobPlan.Invalid("positions", error);
        }

        var labels = request.Labels ?? new ResampleLabelSettings();
        if (OutcomeLabelling.AlignmentFakingJudge(labels.AlignmentFaking) is null)
        {
            return JobPlan.Invalid("labels.alignmentFaking",
                $"Unknown alignment-faking judge '{labels.AlignmentFaking}'. Known: {JudgeClassifiers.FiveCriteriaName}, {JudgeClassifiers.FourCriteriaName}.");
        }

        var judgeProvider = string.IsNullOrWhiteSpace(labels.Provider) ? request.Provider! : labels.Provider.Trim();
        if (!providers.Exists(judgeProvider))
        {
            return JobPlan.Invalid("labels.provider", $"Unknown judge provider '{judgeProvider}'. Configured providers: {string.Join(", ", providers.Names)}.");
        }

        var served = providers.Get(judgeProvider).Models;
        var judgeModel = !string.IsNullOrWhiteSpace(labels.Model) ? labels.Model.Trim()
            : judgeProvider == request.Provider ? request.Model ?? served.FirstOrDefault()
            : served.FirstOrDefault();
        if (judgeModel is null)
        {
            return JobPlan.Invalid("labels.model", $"labels.model is required: provider '{judgeProvider}' lists no models.");
        }

        if (served.Count > 0 && !served.Contains(judgeModel, StringComparer.Ordinal))
        {
            return JobPlan.Invalid("labels.model", $"Provider '{judgeProvider}' does not serve model '{judgeModel}'. It serves: {string.Join(", ", served)}.");
        }

        labels = labels with { Provider = judgeProvider, Model = judgeModel };
        var ids = traces.Select(t => t.Id).ToList();
        // New samples get numbers no stored resample or queued item has at their position, so the idempotency key never collides.
        var largest = (await db.Set<Resample>().AsNoTracking().Where(r => ids.Contains(r.TraceId))
                .GroupBy(r => new { r.TraceId, r.Position }).Select(g => new { g.Key.TraceId, g.Key.Position, Max = g.Max(r => r.SampleIndex) }).ToListAsync(ct))
            .Concat(await db.Set<JobItem>().AsNoTracking().Where(i => i.TraceId != null && ids.Contains(i.TraceId.Value))
                .GroupBy(i => new { TraceId = i.TraceId!.Value, i.Position }).Select(g => new { g.Key.TraceId, g.Key.Position, Max = g.Max(i => i.SampleIndex) }).ToListAsync(ct))
            .GroupBy(x => (x.TraceId, x.Position))
            .ToDictionary(g => g.Key, g => g.Max(x => x.Max));

        var items = new List<PlannedItem>();
        foreach (var trace in traces)
        {
            var last = Math.Min(to ?? int.MaxValue, trace.Sentences - 1);
            for (var position = from ?? 0; position <= last; position++)
            {
                int? max = largest.TryGetValue((trace.Id, position), out var m) ? m : null;
                // Only a position whose numbers run up to int.MaxValue needs every number in use.
                var used = SampleNumbers.FitsAfter(max, request.N) ? null : await UsedSampleNumbersAsync(db, trace.Id, position, ct);
                foreach (var sample in SampleNumbers.Pick(max, request.N, () => used!))
                {
                    items.Add(new PlannedItem(trace.Id, position, sample));
                }

                if (items.Count > MaxItems)
                {
                    return JobPlan.Invalid("n", $"A job may hold at most {MaxItems:N0} requests.");
                }
            }
        }

        return items.Count == 0 ? JobPlan.Invalid("positions", "No trace has a sentence in that range.")
            : new JobPlan(items, DatasetId: JobTargets.CommonDataset(listed, traces.Select(t => t.DatasetId)), Labels: labels);
    }

    /// <summary>Every sample number stored or queued at a position.</summary>
    internal static async Task<IReadOnlySet<int>> UsedSampleNumbersAsync(TraceViewerDbContext db, int traceId, int position, CancellationToken ct)
    {
        var stored = await db.Set<Resample>().AsNoTracking().Where(r => r.TraceId == traceId && r.Position == position).Select(r => r.SampleIndex).ToListAsync(ct);
        var queued = await db.Set<JobItem>().AsNoTracking().Where(i => i.TraceId == traceId && i.Position == position).Select(i => i.SampleIndex).ToListAsync(ct);
        return stored.Concat(queued).ToHashSet();
    }

    /// <summary>The largest sample number stored or queued at a position, or null.</summary>
    internal static async Task<int?> LargestSampleNumberAsync(TraceViewerDbContext db, int traceId, int position, CancellationToken ct)
    {
        var stored = await db.Set<Resample>().AsNoTracking().Where(r => r.TraceId == traceId && r.Position == position).MaxAsync(r => (int?)r.SampleIndex, ct);
        var queued = await db.Set<JobItem>().AsNoTracking().Where(i => i.TraceId == traceId && i.Position == position).MaxAsync(i => (int?)i.SampleIndex, ct);
        return stored is null ? queued : queued is null ? stored : Math.Max(stored.Value, queued.Value);
    }

    public async Task<JobItemResult> RunAsync(JobWork work, CancellationToken ct)
    {
        var trace = await sources.GetAsync(work.Job.Id, work.TraceId, ct);
        if (!trace.SentenceStarts.TryGetValue(work.Position, out var start))
        {
            throw new InvalidOperationException($"Trace {work.TraceId} has no sentence {work.Position}.");
        }

        if (start < 0 || start > trace.Reasoning.Length)
        {
            throw new InvalidOperationException(
                $"Sentence {work.Position} of trace {work.TraceId} starts at character {start}, outside its text of {trace.Reasoning.Length} characters.");
        }

        var prefix = Prefix(trace.Response, trace.Reasoning, start);
        var job = work.Job;
        var continuation = await TurnLoop.ContinueAsync(
            model, job.Provider, job.Model, trace.SystemPrompt, trace.UserPrompt, prefix, job.Parameters.Sampling, ct);

        var full = prefix + continuation.Text;
        var first = SentenceSplitter.Split(continuation.Text, 0, continuation.Text.Length);
        var settings = job.Parameters.Labels ?? new ResampleLabelSettings();
        var labellers = OutcomeLabelling.Choose(trace.Outcomes.Keys, trace.Outcomes.GroundTruth, settings.AlignmentFaking);
        var labels = new List<StagedLabel>();
        int promptTokens = continuation.PromptTokens, completionTokens = continuation.CompletionTokens, saved = 0;
        var judgeCalls = new List<ModelUsage>();
        string? answer = null;
        foreach (var labeller in labellers.Where(l => l.Labels))
        {
            switch (labeller.Method)
            {
                case LabelMethod.ComplianceRule:
                    var compliance = ComplianceClassifier.Classify(full);
                    labels.Add(new(labeller.OutcomeKey, "marker:" + LabelExplanation.Answer(compliance.IsCompliant), compliance.IsCompliant, null));
                    break;
                case LabelMethod.AnswerEquivalence:
                    var check = MathAnswers.Check(full, trace.Outcomes.GroundTruth!);
                    answer = check.Answer;
                    labels.Add(new(labeller.OutcomeKey, check.Answer ?? "", check.IsCorrect, null));
                    break;
                case LabelMethod.Judge:
                    var judge = labeller.Judge!;
                    var userInput = CollectUserTurn.ExtractUserInput(trace.UserPrompt) ?? trace.UserPrompt;
                    // Alignment-faking judges read the scratchpad; the blackmail judge reads the whole response, actions included.
                    var input = judge == JudgeClassifiers.Blackmail
                        ? new JudgeInput(full, userInput, ScratchpadText.FinalOutput(full))
                        : JudgeInput.FromContinuation(prefix, continuation.Text, userInput);
                    var (judgeProvider, judgeModel) = (settings.Provider ?? job.Provider, settings.Model ?? job.Model);
                    var voting = await JudgeVoting.RunCountedAsync(model, judgeProvider, judgeModel, judge, judge.DefaultThreshold,
                        input, judge.DefaultVotes, new SamplingParameters(null, null, null), work.Attempt >= options.Value.MaxAttempts, settings.EarlyStop == true, ct);
                    judgeCalls.Add(new ModelUsage(judgeProvider, judgeModel, voting.PromptTokens, voting.CompletionTokens));
                    promptTokens += voting.PromptTokens;
                    completionTokens += voting.CompletionTokens;
                    saved += voting.CallsSaved;
                    labels.Add(new(labeller.OutcomeKey, JudgeSettings.OutcomeValue(voting.Verdict), voting.Verdict.Label, voting.Verdict));
                    break;
            }
        }

        return new ResampleResult(work.ItemId, new Resample
        {
            TraceId = work.TraceId,
            Position = work.Position,
            SampleIndex = work.SampleIndex,
            FirstSentence = first.Count > 0 ? first[0].Text : null,
            Continuation = continuation.Text,
            FinalOutput = ScratchpadText.FinalOutput(full),
            Answer = answer,
            Origin = TraceViewer.Resampling.ResampleOrigin.Generated,
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
                labels = labellers.Select(l => new { outcome = l.OutcomeKey, classifier = l.Labels ? l.Description : null, notLabelled = l.Labels ? null : l.Description }),
                judgeProvider = labellers.Any(l => l.Method == LabelMethod.Judge) ? settings.Provider ?? job.Provider : null,
                judgeModel = labellers.Any(l => l.Method == LabelMethod.Judge) ? settings.Model ?? job.Model : null,
            }),
        }, labels, clock.GetUtcNow())
        {
            PromptTokens = promptTokens,
            CompletionTokens = completionTokens,
            CallsSaved = saved,
            OtherCalls = judgeCalls,
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

    /// <summary>One outcome value of a new resample; a judge's verdict is stored beside it as a <see cref="JudgeLabel"/>.</summary>
    private sealed record StagedLabel(string OutcomeKey, string Value, bool? IsPositive, JudgeVerdict? Verdict);

    private sealed class ResampleResult(long itemId, Resample resample, IReadOnlyList<StagedLabel> labels, DateTimeOffset createdAt) : JobItemResult
    {
        public override async Task StageAsync(JobWriteBatch batch, CancellationToken ct)
        {
            // Staged again when a batch is written a second time (after a failed write): the labels are set, never added twice.
            var values = new List<ResampleLabel>();
            var verdicts = new List<JudgeLabel>();
            foreach (var label in labels)
            {
                var outcomeId = await batch.OutcomeIdAsync(label.OutcomeKey, ct);
                values.Add(new ResampleLabel { OutcomeId = outcomeId, Value = label.Value, IsPositive = label.IsPositive });
                if (label.Verdict is { } verdict)
                {
                    // The resample's id is known once it is inserted; the batch sets it then.
                    verdicts.Add(verdict.ToLabel(outcomeId, createdAt, resampleId: 0));
                }
            }

            resample.Labels = values;
            // Inserted with the batch's other resamples; if another source stored this key meanwhile, under the next free number.
            batch.AddResample(resample, itemId, verdicts);
        }
    }
}

/// <summary>
/// What resampling needs of a trace (prompts, texts, sentence offsets), loaded once per job and trace instead of once
/// per request. A job's items of one trace all share it; the cache holds a bounded number of traces.
/// </summary>
internal sealed class ResampleSources(IServiceScopeFactory scopes)
{
    private const int MaxTraces = 64;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int JobId, int TraceId), Lazy<Task<ResampleSource>>> _sources = new();

    public async Task<ResampleSource> GetAsync(int jobId, int traceId, CancellationToken ct)
    {
        if (_sources.Count >= MaxTraces && !_sources.ContainsKey((jobId, traceId)))
        {
            _sources.Clear();
        }

        var lazy = _sources.GetOrAdd((jobId, traceId), key => new Lazy<Task<ResampleSource>>(() => LoadAsync(key.TraceId)));
        try
        {
            return await lazy.Value.WaitAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // A failed load is not cached: the next item tries again.
            _sources.TryRemove(new KeyValuePair<(int, int), Lazy<Task<ResampleSource>>>((jobId, traceId), lazy));
            throw;
        }
    }

    private async Task<ResampleSource> LoadAsync(int traceId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        var trace = await db.Set<Trace>().AsNoTracking().Where(t => t.Id == traceId)
            .Select(t => new { t.SystemPrompt, t.UserPrompt, t.Prompt, t.Response, t.Reasoning })
            .SingleOrDefaultAsync(CancellationToken.None) ?? throw new InvalidOperationException($"Trace {traceId} no longer exists.");
        var starts = await db.Set<Sentence>().AsNoTracking().Where(s => s.TraceId == traceId).OrderBy(s => s.Index)
            .Select(s => new { s.Index, s.Start }).ToListAsync(CancellationToken.None);
        return new ResampleSource(trace.SystemPrompt, trace.UserPrompt ?? trace.Prompt, trace.Response, trace.Reasoning,
            starts.ToDictionary(s => s.Index, s => s.Start), await StudiedOutcomes.LoadAsync(db, traceId, CancellationToken.None));
    }
}

/// <summary>A trace as resampling reads it; <see cref="SentenceStarts"/> maps sentence index to its offset in the reasoning.</summary>
/// <see cref="Outcomes"/> are the outcomes its new resamples are labelled on, read once per job.
internal sealed record ResampleSource(
    string? SystemPrompt, string UserPrompt, string Response, string Reasoning, IReadOnlyDictionary<int, int> SentenceStarts, StudiedOutcomes Outcomes);
