using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Import;
using TraceViewer.Outcomes;
using TraceViewer.Providers;
using TraceViewer.Traces;
using TraceViewer.Datasets;

namespace TraceViewer.Jobs;

/// <summary>An inclusive range of sentence positions.</summary>
internal sealed record PositionRange(int? From, int? To);

/// <summary>A request to start a job. Either <see cref="TraceId"/> or <see cref="DatasetId"/> names the target.</summary>
internal sealed record JobRequest
{
    /// <summary>Resample (default), Embed, Judge, Collect or Tag.</summary>
    public string? Kind { get; init; }

    public int? TraceId { get; init; }

    /// <summary>Resample and judge jobs: several traces at once (at most <see cref="JobRules.MaxTraces"/>), instead of traceId or datasetId.</summary>
    public IReadOnlyList<int>? TraceIds { get; init; }

    public int? DatasetId { get; init; }

    /// <summary>Positions to resample; omitted means every sentence.</summary>
    public PositionRange? Positions { get; init; }

    /// <summary>Samples per position.</summary>
    public int N { get; init; } = 20;

    public string? Provider { get; init; }

    /// <summary>A model the provider serves; omitted means its first.</summary>
    public string? Model { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? MaxTokens { get; init; }

    /// <summary>Judge jobs: classifier (af-five-criteria, af-four-criteria or custom with prompt), votes, threshold, target.</summary>
    public JudgeSettings? Judge { get; init; }

    /// <summary>Collect jobs: dataset, n, seed, tiers, variants, samplesPerQuery, optional judge step.</summary>
    public CollectSettings? Collect { get; init; }

    /// <summary>Tag jobs: taxonomy (name or id), votes (default 1), topK, prompt.</summary>
    public TagSettings? Tag { get; init; }

    /// <summary>Resample jobs: the judge (provider, model) for judge-backed outcomes, the alignment-faking judge, early stop.</summary>
    public ResampleLabelSettings? Labels { get; init; }
}

/// <summary>
/// A creation's outcome: the job (new, or for a repeated Idempotency-Key the one created first), the invalid fields, or
/// the job a key already belongs to when the request differs from the one that created it.
/// </summary>
internal sealed record JobCreation(int? JobId, IDictionary<string, string[]>? Errors = null, bool Replayed = false, int? KeyUsedByJob = null);

/// <summary>The outcome of a state change: the job's status after it, or why it could not happen.</summary>
internal enum JobChange
{
    Done,
    NotFound,
    NotAllowed,
}

/// <summary>Creates jobs with their items, and pauses, resumes and cancels them. The worker does the rest.</summary>
internal sealed class JobService(
    TraceViewerDbContext db, ProviderRegistry providers, IServiceProvider services, JobSignal signal, JobProgressFeed feed, TimeProvider clock)
{
    public const int MaxSamplesPerPosition = JobRules.MaxSamplesPerPosition;

    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>Validates and saves a job with all its items; returns the job id, or the invalid fields.</summary>
    public async Task<(int? JobId, IDictionary<string, string[]>? Errors)> CreateAsync(JobRequest request, CancellationToken ct)
    {
        var created = await CreateAsync(request, null, ct);
        return (created.JobId, created.Errors);
    }

    /// <summary>
    /// Null when <paramref name="user"/> may start <paramref name="request"/>: the researcher role in the workspace of every
    /// dataset it works on (its traces', its dataset's, or for a collect job its named dataset's, a new one landing in the
    /// default workspace). Else why not.
    /// </summary>
    public async Task<string?> WorkspaceRefusalAsync(System.Security.Claims.ClaimsPrincipal user, JobRequest request, CancellationToken ct)
    {
        var traces = new List<int>();
        if (request.TraceId is { } traceId)
        {
            traces.Add(traceId);
        }

        traces.AddRange(request.TraceIds ?? []);
        var datasets = await db.Set<Trace>().IgnoreQueryFilters().Where(t => traces.Contains(t.Id)).Select(t => t.DatasetId).Distinct().ToListAsync(ct);
        if (request.DatasetId is { } datasetId)
        {
            datasets.Add(datasetId);
        }

        var workspaces = await db.Set<Dataset>().IgnoreQueryFilters().Where(d => datasets.Contains(d.Id)).Select(d => d.WorkspaceId).Distinct().ToListAsync(ct);
        if (request.DatasetId is null && request.Collect?.Dataset is { Length: > 0 } named)
        {
            var key = CollectSettings.DatasetKeyPrefix + named.Trim();
            workspaces.Add(await db.Set<Dataset>().IgnoreQueryFilters().Where(d => d.Key == key).Select(d => (int?)d.WorkspaceId).FirstOrDefaultAsync(ct)
                ?? Workspaces.Workspace.DefaultId);
        }

        return await services.GetRequiredService<WorkspaceWrites>().RefusalInWorkspacesAsync(user, Accounts.AccessPolicies.Research, [.. workspaces.Distinct()], ct);
    }

    /// <summary>1 to 200 printable ASCII characters, e.g. a UUID.</summary>
    public static bool IsValidIdempotencyKey(string key) =>
        key.Length is > 0 and <= MaxIdempotencyKeyLength && key.All(c => c is >= ' ' and <= '~');

    /// <summary>
    /// As <see cref="CreateAsync(JobRequest, CancellationToken)"/>; with an <paramref name="idempotencyKey"/>, a request
    /// repeating a key returns the job the key created first instead of creating another, and one reusing it for a
    /// different request is refused.
    /// </summary>
    public async Task<JobCreation> CreateAsync(JobRequest request, string? idempotencyKey, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var known = Enum.TryParse<JobKind>(request.Kind ?? nameof(JobKind.Resample), ignoreCase: true, out var kind) && Enum.IsDefined(kind)
            && !int.TryParse(request.Kind, out _);
        var handler = known ? services.GetKeyedService<IJobItemHandler>(kind) : null;
        var rules = JobKinds.All.FirstOrDefault(k => k.Kind == kind) ?? new JobKindInfo(kind, typeof(IJobItemHandler));
        if (!known)
        {
            errors["kind"] = [$"Unknown job kind. Known kinds: {string.Join(", ", Enum.GetNames<JobKind>())}."];
        }
        else if (handler is null)
        {
            errors["kind"] = [$"Jobs of kind {kind} are not available in this installation."];
        }

        // A collect job may name a new dataset instead; its handler checks its target.
        if (request.TraceIds is not null && !rules.TakesTraceList)
        {
            errors["traceIds"] = [$"Only {JobKinds.Labels(k => k.TakesTraceList)} jobs take a list of traces (traceIds)."];
        }
        else if (request.TraceIds is not null && (request.TraceId is not null || request.DatasetId is not null))
        {
            errors["traceIds"] = ["Give exactly one of traceId, traceIds and datasetId."];
        }
        else if (request.TraceIds is not null && JobRules.TraceIds(request.TraceIds) is { } traceIdsError)
        {
            errors["traceIds"] = [traceIdsError];
        }
        else if (rules.NeedsTarget && request.TraceIds is null && (request.TraceId is null) == (request.DatasetId is null))
        {
            errors["traceId"] = ["Give exactly one of traceId, traceIds and datasetId."];
        }

        foreach (var (field, error) in new[]
        {
            ("n", JobRules.N(request.N)), ("temperature", JobRules.Temperature(request.Temperature)),
            ("topP", JobRules.TopP(request.TopP)), ("maxTokens", JobRules.MaxTokens(request.MaxTokens)),
        })
        {
            if (error is not null)
            {
                errors[field] = [error];
            }
        }

        ProviderOptions? provider = null;
        if (rules.UsesProvider)
        {
            if (string.IsNullOrWhiteSpace(request.Provider))
            {
                errors["provider"] = [$"provider is required. Configured providers: {ProviderList()}."];
            }
            else if (!providers.Exists(request.Provider))
            {
                errors["provider"] = [$"Unknown provider '{request.Provider}'. Configured providers: {ProviderList()}."];
            }
            else
            {
                provider = providers.Get(request.Provider);
                if (request.Model is { } model && provider.Models.Count > 0 && !provider.Models.Contains(model, StringComparer.Ordinal))
                {
                    errors["model"] = [$"Provider '{request.Provider}' does not serve model '{model}'. It serves: {string.Join(", ", provider.Models)}."];
                }
                else if (request.Model is null && provider.Models.Count == 0)
                {
                    errors["model"] = [$"model is required: provider '{request.Provider}' lists no models."];
                }
            }
        }

        if (errors.Count > 0)
        {
            return new JobCreation(null, errors);
        }

        var hash = idempotencyKey is null ? null : RequestHash(request);
        // Plans pick sample numbers after those already stored or queued: two creations at once (a double click) must not
        // pick the same ones, so planning and saving run one at a time. The same turn makes a repeated key find its job.
        await CreateTurn.WaitAsync(ct);
        try
        {
            if (idempotencyKey is not null && await FindByKeyAsync(idempotencyKey, hash!, ct) is { } first)
            {
                return first;
            }

            try
            {
                return await PlanAndSaveAsync(request, kind, handler!, provider, idempotencyKey, hash, ct);
            }
            catch (DbUpdateException) when (idempotencyKey is not null)
            {
                // Another instance saved a job with this key meanwhile and the unique index kept this one out; anything else rethrows.
                db.ChangeTracker.Clear();
                if (await FindByKeyAsync(idempotencyKey, hash!, ct) is { } raced)
                {
                    return raced;
                }

                throw;
            }
        }
        finally
        {
            CreateTurn.Release();
        }
    }

    private async Task<JobCreation?> FindByKeyAsync(string key, string hash, CancellationToken ct)
    {
        var job = await db.Set<Job>().AsNoTracking().Where(j => j.IdempotencyKey == key).Select(j => new { j.Id, j.RequestHash }).FirstOrDefaultAsync(ct);
        return job is null ? null
            : job.RequestHash == hash ? new JobCreation(job.Id, Replayed: true)
            : new JobCreation(null, KeyUsedByJob: job.Id);
    }

    private static string RequestHash(JobRequest request) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(request, System.Text.Json.JsonSerializerOptions.Web)));

    private static readonly SemaphoreSlim CreateTurn = new(1, 1);

    private async Task<JobCreation> PlanAndSaveAsync(
        JobRequest request, JobKind kind, IJobItemHandler handler, ProviderOptions? provider, string? idempotencyKey, string? requestHash, CancellationToken ct)
    {
        var plan = await handler.PlanAsync(request, ct);
        if (plan.Errors is { Count: > 0 })
        {
            return new JobCreation(null, plan.Errors);
        }

        var providerName = plan.Provider ?? request.Provider!;
        provider ??= providers.Exists(providerName) ? providers.Get(providerName) : null;
        var parameters = new JobParameters
        {
            From = request.Positions?.From,
            To = request.Positions?.To,
            N = request.N,
            Traces = request.TraceIds?.Count,
            Sampling = new SamplingParameters(request.Temperature, request.TopP, request.MaxTokens),
            Endpoint = Redaction.Url(provider?.BaseUrl),
            PrefixMode = provider?.PrefixMode.ToString(),
            PrefillFlag = provider?.PrefixMode == PrefixMode.ChatPrefill ? provider.PrefillFlag : null,
            CompletionTemplate = provider?.PrefixMode == PrefixMode.TextCompletion ? provider.CompletionTemplate : null,
            Judge = plan.Judge,
            Collect = plan.Collect,
            Tag = plan.Tag,
            Labels = plan.Labels,
        };
        var job = new Job
        {
            Kind = kind,
            Status = JobStatus.Queued,
            TraceId = request.TraceId,
            DatasetId = plan.DatasetId ?? request.DatasetId,
            Provider = providerName,
            Model = plan.Model ?? request.Model ?? provider!.Models[0],
            Parameters = parameters.ToJson(),
            TotalItems = plan.Items.Count,
            CreatedAt = clock.GetUtcNow(),
            IdempotencyKey = idempotencyKey,
            RequestHash = requestHash,
        };

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Labels written by the worker refer to these outcomes.
        foreach (var outcome in JobKinds.Of(kind).Outcomes?.Invoke(plan) ?? [])
        {
            await db.GetOrAddAsync(outcome, ct);
        }

        db.Add(job);
        await db.SaveChangesAsync(ct);
        // One prepared statement (multi-row on PostgreSQL) instead of change tracking: 10,000 items in well under a second.
        foreach (var chunk in plan.Items.Chunk(10_000))
        {
            await BulkInsert.InsertAsync(db, [.. chunk.Select(i => new JobItem { JobId = job.Id, TraceId = i.TraceId, Position = i.Position, SampleIndex = i.SampleIndex, Key = i.Key })], null, ct);
        }

        await transaction.CommitAsync(ct);
        signal.Wake();
        feed.Notify();
        return new JobCreation(job.Id);
    }

    /// <summary>
    /// Null when <paramref name="user"/> may pause, resume or cancel job <paramref name="jobId"/> (or there is no such job):
    /// the researcher role in the workspace of every dataset the job works on (its trace's, its dataset's, its items'
    /// traces'; a job on none, such as a collect job whose dataset is not made yet, in the default workspace). Else why not.
    /// </summary>
    public async Task<string?> ControlRefusalAsync(System.Security.Claims.ClaimsPrincipal user, int jobId, CancellationToken ct)
    {
        var job = await db.Set<Job>().IgnoreQueryFilters().AsNoTracking().Where(j => j.Id == jobId).Select(j => new { j.TraceId, j.DatasetId }).FirstOrDefaultAsync(ct);
        if (job is null)
        {
            return null;
        }

        var itemTraces = db.Set<JobItem>().IgnoreQueryFilters().Where(i => i.JobId == jobId && i.TraceId != null).Select(i => i.TraceId!.Value);
        var workspaces = await db.Set<Dataset>().IgnoreQueryFilters()
            .Where(d => d.Id == job.DatasetId
                || db.Set<Trace>().IgnoreQueryFilters().Any(t => t.DatasetId == d.Id && (t.Id == job.TraceId || itemTraces.Contains(t.Id))))
            .Select(d => d.WorkspaceId).Distinct().ToListAsync(ct);
        if (workspaces.Count == 0)
        {
            workspaces.Add(Workspaces.Workspace.DefaultId);
        }

        return await services.GetRequiredService<WorkspaceWrites>().RefusalInWorkspacesAsync(user, Accounts.AccessPolicies.Research, workspaces, ct);
    }

    public Task<JobChange> PauseAsync(int id, CancellationToken ct) =>
        ChangeAsync(id, [JobStatus.Queued, JobStatus.Running], JobStatus.Paused, ct);

    public Task<JobChange> ResumeAsync(int id, CancellationToken ct) =>
        ChangeAsync(id, [JobStatus.Paused], JobStatus.Queued, ct);

    public Task<JobChange> CancelAsync(int id, CancellationToken ct) =>
        ChangeAsync(id, [JobStatus.Queued, JobStatus.Running, JobStatus.Paused], JobStatus.Cancelled, ct);

    private async Task<JobChange> ChangeAsync(int id, JobStatus[] from, JobStatus to, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        DateTimeOffset? finished = to == JobStatus.Cancelled ? now : null;
        var changed = await db.Set<Job>().Where(j => j.Id == id && from.Contains(j.Status))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, to).SetProperty(j => j.FinishedAt, j => finished ?? j.FinishedAt), ct);
        if (changed > 0)
        {
            signal.Wake();
            feed.Notify();
            return JobChange.Done;
        }

        return await db.Set<Job>().AnyAsync(j => j.Id == id, ct) ? JobChange.NotAllowed : JobChange.NotFound;
    }

    private string ProviderList() => providers.Names.Count == 0 ? "(none)" : string.Join(", ", providers.Names);
}

/// <summary>
/// The limits a job request's numbers must keep, as messages naming the field; the API and the trace page's resample
/// form both check them here.
/// </summary>
internal static class JobRules
{
    public const int MaxSamplesPerPosition = 10_000;

    public const int MaxTokensLimit = 1_000_000;

    public static string? N(int? n) => n is null
        ? "n (samples per position) is required."
        : n is < 1 or > MaxSamplesPerPosition ? $"n must be between 1 and {MaxSamplesPerPosition}." : null;

    public static string? Temperature(double? temperature) => temperature is < 0 or > 2 ? "temperature must be between 0 and 2." : null;

    public static string? TopP(double? topP) => topP is <= 0 or > 1 ? "topP must be greater than 0 and at most 1." : null;

    /// <summary>Model calls per target of a judge or tag job.</summary>
    public static string? Votes(int? votes, int max) => votes is < 1 || votes > max ? $"votes must be between 1 and {max}." : null;

    /// <summary>Traces one resample or judge job may list in traceIds.</summary>
    public const int MaxTraces = 1_000;

    public static string? TraceIds(IReadOnlyCollection<int> ids) =>
        ids.Count == 0 ? "traceIds must list at least one trace."
        : ids.Count > MaxTraces ? $"traceIds lists {ids.Count:N0} traces; a job may cover at most {MaxTraces:N0} (MaxTraces)."
        : ids.Distinct().Count() != ids.Count ? "traceIds lists a trace more than once."
        : null;

    public static string? MaxTokens(int? maxTokens) => maxTokens is < 1 or > MaxTokensLimit ? "maxTokens must be between 1 and 1,000,000." : null;

    /// <summary>Positions of one trace with <paramref name="sentences"/> sentences; null bounds mean the first or the last.</summary>
    public static string? Positions(int? from, int? to, int sentences) =>
        from < 0 || to < 0 || from > to ? "Positions must satisfy 0 <= from <= to."
        : sentences <= (to ?? from ?? 0) ? $"The trace has {sentences} sentences: positions run from 0 to {sentences - 1}."
        : null;
}

/// <summary>Wakes the worker when a job is created or changes state, so it need not wait for its next poll.</summary>
internal sealed class JobSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);

    public void Dispose() => _signal.Dispose();
}
