using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Collect;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Import;
using TraceViewer.Import.AlignmentFaking;
using TraceViewer.Judging;
using TraceViewer.Outcomes;
using TraceViewer.Providers;
using TraceViewer.Text;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>The collect part of a job request: which AdvBench requests, tiers and prompt variants, and where the traces go.</summary>
public sealed record CollectSettings
{
    /// <summary>Name of the dataset to create or extend (its key is <c>collect/{name}</c>); or give the job's datasetId instead.</summary>
    public string? Dataset { get; init; }

    /// <summary>Number of AdvBench requests: the first n, or a sample of n when <see cref="Seed"/> is given.</summary>
    public int? N { get; init; }

    public ulong? Seed { get; init; }

    /// <summary><c>free</c> and/or <c>paid</c>; default both.</summary>
    public IReadOnlyList<string>? Tiers { get; init; }

    /// <summary>Prompt variant name to system prompt text; default the example prompt shipped in SampleData/prompts.</summary>
    public IReadOnlyDictionary<string, string>? Variants { get; init; }

    /// <summary>Responses per (variant, tier, request); default 1.</summary>
    public int? SamplesPerQuery { get; init; }

    /// <summary>Ask for the compliance markers in the user turn (default true).</summary>
    public bool? ComplianceTags { get; init; }

    /// <summary>Optional judge step: each collected response is judged before its trace is final.</summary>
    public JudgeSettings? Judge { get; init; }

    /// <summary>Set when the job is created: the key of the dataset the traces go to.</summary>
    public string? DatasetKey { get; init; }

    public const int MaxSamplesPerQuery = 100;

    public const string DatasetKeyPrefix = "collect/";

    public const string DefaultVariant = "example";

    internal CollectPlan Plan() => CollectPlan.Create(
        CollectJobData.AdvBench,
        Seed is { } seed ? AdvBenchSelection.Sample(N ?? 0, seed) : AdvBenchSelection.First(N ?? 0),
        Tiers ?? CollectPlan.BothTiers,
        Variants ?? new Dictionary<string, string>(),
        SamplesPerQuery ?? 1,
        ComplianceTags ?? true);
}

/// <summary>The bundled AdvBench rows, read once.</summary>
internal static class CollectJobData
{
    private static readonly Lazy<IReadOnlyList<AdvBenchRow>> Rows = new(() => AdvBenchReader.ReadFile(AdvBenchReader.BundledPath));

    public static IReadOnlyList<AdvBenchRow> AdvBench => Rows.Value;
}

/// <summary>
/// Collecting (issue 4, "Collect"): one item per <see cref="CollectQuery"/>, keyed by its stable key, which is also
/// the trace's external key in the dataset. Each item asks the model (system prompt of the variant, user turn of the
/// tier and request, the scratchpad turn loop), then stores a base trace exactly as the alignment-faking import does
/// (<see cref="HughesImport"/>: scratchpad-aware sentences, compliance by the marker classifier). A query whose trace
/// is already in the dataset is not asked again, so reruns and restarts never duplicate a trace. With a judge step, the
/// response is judged too and gets its <see cref="JudgeLabel"/> and alignment-faking label.
/// </summary>
internal sealed class CollectHandler(
    TraceViewerDbContext db, GatedModelClient model, ImportService import, ProviderRegistry providers, IOptions<JobsOptions> options, TimeProvider clock)
    : IJobItemHandler
{
    public const string SourceFormat = "collect";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CollectSettings, Dictionary<string, CollectQuery>> Plans = new();

    public async Task<JobPlan> PlanAsync(JobRequest request, CancellationToken ct)
    {
        if (request.Collect is not { } settings)
        {
            return JobPlan.Invalid("collect", "A collect job needs its collect parameters (dataset, n, tiers, variants...).");
        }

        var errors = new Dictionary<string, string[]>();
        if (request.TraceId is not null)
        {
            errors["traceId"] = ["A collect job creates traces: give collect.dataset (or datasetId to extend a dataset), not traceId."];
        }

        if ((request.DatasetId is null) == string.IsNullOrWhiteSpace(settings.Dataset))
        {
            errors["collect.dataset"] = ["Give exactly one of collect.dataset (a name, to create or extend) and datasetId."];
        }
        else if (CollectRules.DatasetName(settings.Dataset) is { } nameError)
        {
            errors["collect.dataset"] = [nameError];
        }

        var rows = CollectJobData.AdvBench.Count;
        if (CollectRules.N(settings.N, rows) is { } nError)
        {
            errors["collect.n"] = [nError];
        }

        var tiers = settings.Tiers ?? CollectPlan.BothTiers;
        if (CollectRules.Tiers(tiers) is { } tiersError)
        {
            errors["collect.tiers"] = [tiersError];
        }

        // Pasted, uploaded or sent here: every variant's note lines are dropped by the same function.
        var variants = settings.Variants is { } given
            ? CollectRules.PromptTexts(given)
            : new Dictionary<string, string> { [CollectSettings.DefaultVariant] = SystemPromptFile.Read(SystemPromptFile.ExamplePath) };
        if ((settings.Variants?.Count ?? 1) != variants.Count)
        {
            errors["collect.variants"] = ["Two prompt variants have the same name once trimmed."];
        }
        else if (CollectRules.Variants(variants) is { } variantsError)
        {
            errors["collect.variants"] = [variantsError];
        }

        if (CollectRules.SamplesPerQuery(settings.SamplesPerQuery) is { } samplesError)
        {
            errors["collect.samplesPerQuery"] = [samplesError];
        }

        if (settings.Judge is { } judge)
        {
            foreach (var (field, messages) in judge.Validate("collect.judge"))
            {
                errors[field] = messages;
            }

            if (judge.Target is JudgeSettings.Resamples)
            {
                errors["collect.judge.target"] = ["The judge step of a collect job judges the collected base traces."];
            }

            if (judge.Provider is { } provider && !providers.Exists(provider))
            {
                errors["collect.judge.provider"] = [$"Unknown provider '{provider}'. Configured providers: {string.Join(", ", providers.Names)}."];
            }
            else if (judge.Model is null && providers.Exists(judge.Provider ?? request.Provider ?? "") && judge.Provider is not null
                && providers.Get(judge.Provider).Models.Count == 0)
            {
                errors["collect.judge.model"] = [$"model is required: provider '{judge.Provider}' lists no models."];
            }
        }

        if (errors.Count > 0)
        {
            return new JobPlan([], errors);
        }

        settings = settings with { Tiers = [.. tiers], Variants = variants, SamplesPerQuery = settings.SamplesPerQuery ?? 1, ComplianceTags = settings.ComplianceTags ?? true };
        CollectPlan plan;
        try
        {
            plan = settings.Plan();
        }
        catch (ArgumentException e)
        {
            return JobPlan.Invalid("collect", e.Message);
        }

        Dataset? dataset;
        if (request.DatasetId is { } id)
        {
            dataset = await db.Set<Dataset>().FirstOrDefaultAsync(d => d.Id == id, ct);
            if (dataset is null)
            {
                return JobPlan.Invalid("datasetId", $"There is no dataset with id {id}.");
            }
        }
        else
        {
            var key = CollectSettings.DatasetKeyPrefix + settings.Dataset!.Trim();
            dataset = await db.Set<Dataset>().FirstOrDefaultAsync(d => d.Key == key, ct);
            if (dataset is null)
            {
                var compliance = await db.GetOrAddAsync(OutcomeRegistry.Compliance, ct);
                await db.GetOrAddAsync(OutcomeRegistry.AlignmentFaking, ct);
                await db.SaveChangesAsync(ct);
                dataset = new Dataset
                {
                    Key = key,
                    Name = settings.Dataset.Trim(),
                    Model = request.Model ?? (providers.Exists(request.Provider ?? "") ? providers.Get(request.Provider!).Models.FirstOrDefault() : null) ?? "unknown",
                    Kind = TraceViewer.Datasets.DatasetKind.AlignmentFaking,
                    SourceFormat = SourceFormat,
                    Description = "Base responses collected from AdvBench requests, by prompt variant and tier, with compliance (and, when judged, alignment-faking) labels.",
                    PrimaryOutcomeId = compliance.Id,
                    CreatedAt = clock.GetUtcNow(),
                };
                db.Add(dataset);
                await db.SaveChangesAsync(ct);
            }
        }

        settings = settings with { DatasetKey = dataset.Key, Dataset = dataset.Name };
        var datasetId = dataset.Id;
        var keys = plan.Queries.Select(q => q.Key).ToList();
        var existing = (await db.Set<Trace>().AsNoTracking().Where(t => t.DatasetId == datasetId && keys.Contains(t.ExternalKey))
            .Select(t => t.ExternalKey).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var items = plan.Queries.Select((q, i) => (q, i)).Where(x => !existing.Contains(x.q.Key))
            .Select(x => new PlannedItem(null, x.i, x.q.Sample, x.q.Key)).ToList();
        return new JobPlan(items, Collect: settings, DatasetId: datasetId);
    }

    public async Task<JobItemResult> RunAsync(JobWork work, CancellationToken ct)
    {
        var settings = work.Job.Parameters.Collect ?? throw new InvalidOperationException($"Job {work.Job.Id} has no collect parameters.");
        // The settings object is cached with the job's snapshot, so the plan is built once per job, not per item.
        var queries = Plans.GetValue(settings, s => s.Plan().Queries.ToDictionary(q => q.Key, StringComparer.Ordinal));
        var query = work.Key is { } key && queries.TryGetValue(key, out var found)
            ? found
            : throw new InvalidOperationException($"Job {work.Job.Id} has no query with key {work.Key}.");
        var dataset = await db.Set<Dataset>().AsNoTracking().FirstOrDefaultAsync(d => d.Key == settings.DatasetKey, ct)
            ?? throw new InvalidOperationException($"The dataset {settings.DatasetKey} no longer exists.");
        var judge = settings.Judge;
        var lastAttempt = work.Attempt >= options.Value.MaxAttempts;

        // Already stored (a restart after the trace was written): at most the judge step is left.
        var existing = await db.Set<Trace>().AsNoTracking().Where(t => t.DatasetId == dataset.Id && t.ExternalKey == query.Key)
            .Select(t => new { t.Id, t.Response }).FirstOrDefaultAsync(ct);
        if (existing is not null)
        {
            if (judge is null || await HasJudgeLabelAsync(existing.Id, judge, ct))
            {
                return NothingToWrite.Instance;
            }

            return await JudgeAsync(work, judge, existing.Id, existing.Response, query.Goal, 0, 0, lastAttempt, ct);
        }

        var job = work.Job;
        var reply = await TurnLoop.ContinueAsync(model, job.Provider, job.Model, query.SystemPrompt, query.UserTurn, "", job.Parameters.Sampling, ct);
        var response = reply.Text;
        var record = new HughesRecord(
            work.Position, query.Goal, query.SystemPrompt, query.UserTurn, response, ScratchpadText.FinalOutput(response) ?? "",
            Success: true,
            ContainsAcceptance: response.Contains(ComplianceClassifier.AcceptedTag, StringComparison.Ordinal),
            ContainsRefusal: response.Contains("<rejected", StringComparison.Ordinal),
            Tags: HughesRecord.TagsOf(query.Tier), Timestamp: clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            StrongRejectScore: null, Classifiers: [], RawJson: "{}")
        {
            Tier = query.Tier,
        };
        var target = new ImportedDataset(dataset.Key, dataset.Name, dataset.Model, dataset.Kind, dataset.SourceFormat, dataset.Description, OutcomeRegistry.Compliance, null);
        var warnings = new List<string>();
        var mapped = HughesImport.MapRecord(record, target, query.Variant, $"job/{job.Id}", warnings);
        var trace = mapped with
        {
            ExternalKey = query.Key,
            Title = $"{HughesImport.Shorten(query.Goal, 90)} ({query.Tier})",
            Model = job.Model,
            Temperature = job.Parameters.Sampling.Temperature,
            TopP = job.Parameters.Sampling.TopP,
            SourceFormat = SourceFormat,
            Metadata = JsonSerializer.Serialize(new
            {
                jobId = job.Id,
                key = query.Key,
                provider = job.Provider,
                model = job.Model,
                endpoint = job.Parameters.Endpoint,
                advbench_row = query.RowIndex,
                sample = query.Sample,
                selection = settings.Seed is { } seed ? $"random {settings.N}, seed {seed}" : $"first {settings.N}",
                system_prompt_sha256 = query.SystemPromptHash,
                temperature = job.Parameters.Sampling.Temperature,
                top_p = job.Parameters.Sampling.TopP,
                max_tokens = job.Parameters.Sampling.MaxTokens,
                turns = reply.Turns,
                finish_reason = reply.FinishReason,
                prompt_tokens = reply.PromptTokens,
                completion_tokens = reply.CompletionTokens,
                compliance = JsonDocument.Parse(mapped.Metadata ?? "{}").RootElement.TryGetProperty("compliance_marker_reason", out var reason) ? reason.GetString() : null,
            }),
        };

        // The import writer stores it in its own transaction; the trace's key makes a second write replace, never add.
        await import.WriteAsync(new ImportBatch([], [trace], warnings), null, ct);
        if (judge is null)
        {
            return new NothingToWrite { PromptTokens = reply.PromptTokens, CompletionTokens = reply.CompletionTokens };
        }

        var traceId = await db.Set<Trace>().AsNoTracking().Where(t => t.DatasetId == dataset.Id && t.ExternalKey == query.Key).Select(t => t.Id).SingleAsync(ct);
        return await JudgeAsync(work, judge, traceId, response, query.Goal, reply.PromptTokens, reply.CompletionTokens, lastAttempt, ct);
    }

    private async Task<bool> HasJudgeLabelAsync(int traceId, JudgeSettings judge, CancellationToken ct)
    {
        var (classifier, _, _) = judge.Resolve();
        return await db.Set<JudgeLabel>().AnyAsync(l => l.TraceId == traceId && l.Classifier == classifier.Name
            && l.Version == classifier.Version && l.PromptHash == classifier.PromptHash, ct);
    }

    private async Task<JobItemResult> JudgeAsync(
        JobWork work, JudgeSettings judge, int traceId, string response, string goal, int promptTokens, int completionTokens, bool lastAttempt, CancellationToken ct)
    {
        var (classifier, threshold, votes) = judge.Resolve();
        var provider = judge.Provider ?? work.Job.Provider;
        var modelName = judge.Model ?? (judge.Provider is null ? work.Job.Model : providers.Get(provider).Models[0]);
        var voting = await JudgeVoting.RunCountedAsync(
            model, provider, modelName, classifier, threshold, JudgeInput.FromResponse(response, goal), votes,
            new SamplingParameters(judge.Temperature, null, judge.MaxTokens), lastAttempt, judge.EarlyStop == true, ct);
        return new JudgeHandler.JudgeResult(voting.Verdict, judge.OutcomeKey, traceId, null, clock.GetUtcNow())
        {
            PromptTokens = promptTokens + voting.PromptTokens,
            CompletionTokens = completionTokens + voting.CompletionTokens,
            CallsSaved = voting.CallsSaved,
            OtherCalls = [new ModelUsage(provider, modelName, voting.PromptTokens, voting.CompletionTokens)],
        };
    }

}
