using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Collect;
using TraceViewer.Data;
using TraceViewer.MetricSets;
using TraceViewer.Providers;
using TraceViewer.Tagging;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Jobs;

/// <summary>
/// The tag part of a job request (kind Tag), stored with the job: a model applies a taxonomy to sentences, as an
/// annotator of its own (<see cref="AnnotatorKind.Model"/>, id <c>&lt;provider&gt;/&lt;model&gt;</c>).
/// </summary>
public sealed record TagSettings
{
    /// <summary>The taxonomy, by name or by id.</summary>
    public string? Taxonomy { get; init; }

    /// <summary>Only each trace's k sentences with the largest absolute resampling effect (of its latest metrics); omitted means every sentence.</summary>
    public int? TopK { get; init; }

    /// <summary>Model calls per sentence (default 1); a tag is given when more than half of them name it.</summary>
    public int? Votes { get; init; }

    /// <summary>A custom prompt with placeholders (<see cref="TagPrompt"/>); must contain <c>{sentence}</c>. Omitted means ours.</summary>
    public string? Prompt { get; init; }

    /// <summary>Set by the server when the job is planned (a value sent is replaced): the taxonomy's id and name, and the number of sentences it covers.</summary>
    public int? TaxonomyId { get; init; }

    public string? TaxonomyName { get; init; }

    public int? Sentences { get; init; }

    public const int MaxVotes = 100;

    public const int MaxTopK = 10_000;

    [JsonIgnore]
    public int VoteCount => Votes ?? 1;

    [JsonIgnore]
    public string PromptText => Prompt ?? TagPrompt.Default;

    /// <summary>Stored with every vote record: a changed prompt is a different annotation.</summary>
    [JsonIgnore]
    public string PromptHash => Judging.PromptHash.Of(PromptText);

    /// <summary>Checks the settings; errors are keyed <c>tag.&lt;field&gt;</c>.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(Taxonomy))
        {
            errors["tag.taxonomy"] = ["taxonomy is required: a taxonomy's name or id."];
        }

        if (JobRules.Votes(Votes, MaxVotes) is { } votes)
        {
            errors["tag.votes"] = [votes];
        }

        if (TopK is < 1 or > MaxTopK)
        {
            errors["tag.topK"] = [$"topK must be between 1 and {MaxTopK:N0}."];
        }

        if (Prompt is not null)
        {
            try
            {
                TagPrompt.Parse(Prompt);
            }
            catch (TagPromptException e)
            {
                errors["tag.prompt"] = [e.Message];
            }
        }

        return errors;
    }

    /// <summary>The model annotator's id: the configured provider's name and the model, <c>&lt;provider&gt;/&lt;model&gt;</c>.</summary>
    public static string Annotator(string provider, string model) => $"{provider}/{model}";
}

/// <summary>
/// Tagging with a model: one item per sentence (trace, sentence index), each asking the model <see cref="TagSettings.VoteCount"/>
/// times. Every reply is kept raw and parsed in a <see cref="TagVoteRecord"/>, and the tags the votes give are written as
/// the model annotator's <see cref="SentenceTag"/> rows by <see cref="TagRules"/> with an audit row each, in the same
/// transaction as the item's completion. A sentence that already has votes from the same annotator, taxonomy and
/// prompt is not asked again.
/// </summary>
internal sealed class TagHandler(TraceViewerDbContext db, GatedModelClient model, ProviderRegistry providers, IOptions<JobsOptions> options, TimeProvider clock) : IJobItemHandler
{
    public async Task<JobPlan> PlanAsync(JobRequest request, CancellationToken ct)
    {
        var settings = request.Tag;
        if (settings is null)
        {
            return JobPlan.Invalid("tag", "A tag job needs tag settings: {taxonomy, votes, topK, prompt}.");
        }

        var errors = settings.Validate();
        if (errors.Count > 0)
        {
            return new JobPlan([], errors);
        }

        var name = settings.Taxonomy!.Trim();
        var byId = int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : (int?)null;
        var taxonomy = await db.Set<Taxonomy>().AsNoTracking().Where(t => t.Name == name || t.Id == byId)
            .OrderBy(t => t.Name == name ? 0 : 1).Select(t => new { t.Id, t.Name }).FirstOrDefaultAsync(ct);
        if (taxonomy is null)
        {
            var known = await db.Set<Taxonomy>().AsNoTracking().OrderBy(t => t.Name).Select(t => t.Name).ToListAsync(ct);
            return JobPlan.Invalid("tag.taxonomy", $"There is no taxonomy '{name}'. Taxonomies: {(known.Count == 0 ? "(none)" : string.Join(", ", known))}.");
        }

        if (!await db.Set<Tag>().AnyAsync(t => t.TaxonomyId == taxonomy.Id && !t.Retired, ct))
        {
            return JobPlan.Invalid("tag.taxonomy", $"Taxonomy '{taxonomy.Name}' has no tags to offer.");
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

        var (from, to) = (request.Positions?.From, request.Positions?.To);
        if (from < 0 || to < 0 || from > to)
        {
            return JobPlan.Invalid("positions", "Positions must satisfy 0 <= from <= to.");
        }

        var sentences = db.Set<Sentence>().AsNoTracking().Where(s => traces.Contains(s.TraceId));
        if (from is { } f)
        {
            sentences = sentences.Where(s => s.Index >= f);
        }

        if (to is { } t)
        {
            sentences = sentences.Where(s => s.Index <= t);
        }

        var candidates = await sentences.Select(s => new { s.Id, s.TraceId, s.Index }).ToListAsync(ct);
        if (candidates.Count == 0)
        {
            return JobPlan.Invalid("positions", "There are no sentences to tag in that range.");
        }

        if (settings.TopK is { } k)
        {
            var top = await TopSentencesAsync(traces, k, ct);
            candidates = [.. candidates.Where(c => top.Contains((c.TraceId, c.Index)))];
            if (candidates.Count == 0)
            {
                return JobPlan.Invalid("tag.topK", "No sentence in range has a resampling effect: compute the trace's metrics first, or leave topK out.");
            }
        }

        var modelName = request.Model ?? (providers.Exists(request.Provider!) ? providers.Get(request.Provider!).Models.FirstOrDefault() : null) ?? "";
        var annotator = TagSettings.Annotator(request.Provider!, modelName);
        var hash = settings.PromptHash;
        var ids = candidates.Select(c => c.Id).ToList();
        var done = (await db.Set<TagVoteRecord>().AsNoTracking()
            .Where(v => ids.Contains(v.SentenceId) && v.TaxonomyId == taxonomy.Id && v.Annotator == annotator && v.PromptHash == hash)
            .Select(v => v.SentenceId).ToListAsync(ct)).ToHashSet();
        var items = candidates.Where(c => !done.Contains(c.Id)).OrderBy(c => c.TraceId).ThenBy(c => c.Index)
            .Select(c => new PlannedItem(c.TraceId, c.Index, 0)).ToList();
        if (items.Count > ResampleHandler.MaxItems)
        {
            return JobPlan.Invalid("tag", $"A job may hold at most {ResampleHandler.MaxItems:N0} sentences.");
        }

        return new JobPlan(items, Tag: settings with { TaxonomyId = taxonomy.Id, TaxonomyName = taxonomy.Name, Sentences = items.Count });
    }

    /// <summary>
    /// Each trace's <paramref name="k"/> sentences with the largest absolute resampling effect, in the metric set
    /// <see cref="ShownMetricSets"/> shows among its sets that have one.
    /// </summary>
    private async Task<HashSet<(int TraceId, int Index)>> TopSentencesAsync(List<int> traces, int k, CancellationToken ct)
    {
        var sets = await db.Set<MetricSet>().AsNoTracking()
            .Where(m => traces.Contains(m.TraceId) && m.Values.Any(v => v.Name == MetricNames.ResamplingEffect))
            .Select(ShownMetricSets.Projection).ToListAsync(ct);
        var latest = sets.GroupBy(m => m.TraceId).Select(g => ShownMetricSets.Pick(g, MetricSetPolicy.Default)!.Value.Id).ToList();
        var values = await db.Set<SentenceMetric>().AsNoTracking()
            .Where(v => latest.Contains(v.MetricSetId) && v.Name == MetricNames.ResamplingEffect)
            .Select(v => new { v.MetricSetId, v.SentenceIndex, v.Value }).ToListAsync(ct);
        var traceOf = sets.ToDictionary(m => m.Id, m => m.TraceId);
        return values.Where(v => double.IsFinite(v.Value)).GroupBy(v => v.MetricSetId)
            .SelectMany(g => g.OrderByDescending(v => Math.Abs(v.Value)).ThenBy(v => v.SentenceIndex).Take(k).Select(v => (traceOf[g.Key], v.SentenceIndex)))
            .ToHashSet();
    }

    public async Task<JobItemResult> RunAsync(JobWork work, CancellationToken ct)
    {
        var settings = work.Job.Parameters.Tag ?? throw new InvalidOperationException($"Job {work.Job.Id} has no tag settings.");
        var taxonomyId = settings.TaxonomyId ?? throw new InvalidOperationException($"Job {work.Job.Id} has no taxonomy.");
        var multiChoice = await db.Set<Taxonomy>().AsNoTracking().Where(t => t.Id == taxonomyId).Select(t => (bool?)t.MultiChoice).SingleOrDefaultAsync(ct)
            ?? throw new InvalidOperationException($"Taxonomy {taxonomyId} no longer exists.");
        var tags = await db.Set<Tag>().AsNoTracking().Where(t => t.TaxonomyId == taxonomyId && !t.Retired).OrderBy(t => t.Hotkey == null).ThenBy(t => t.Hotkey).ThenBy(t => t.Id)
            .Select(t => new TagChoice(t.Name, t.Description)).ToListAsync(ct);
        var trace = await db.Set<Trace>().AsNoTracking().Where(t => t.Id == work.TraceId).Select(t => new { t.UserPrompt, t.Reasoning })
            .SingleOrDefaultAsync(ct) ?? throw new InvalidOperationException($"Trace {work.TraceId} no longer exists.");
        var sentence = await db.Set<Sentence>().AsNoTracking().Where(s => s.TraceId == work.TraceId && s.Index == work.Position)
            .Select(s => new { s.Id, s.Text, s.Start, s.End }).SingleOrDefaultAsync(ct)
            ?? throw new InvalidOperationException($"Trace {work.TraceId} has no sentence {work.Position}.");
        var reasoning = trace.Reasoning;
        var start = Math.Clamp(sentence.Start, 0, reasoning.Length);
        var end = Math.Clamp(sentence.End, start, reasoning.Length);
        var prompt = TagPrompt.Parse(settings.PromptText).Render(new TagPromptInput(
            trace.UserPrompt is null ? null : CollectUserTurn.ExtractUserInput(trace.UserPrompt) ?? trace.UserPrompt,
            reasoning[..start].TrimEnd(), sentence.Text, reasoning[end..].TrimStart(), tags, multiChoice));

        var names = tags.ConvertAll(t => t.Name);
        var messages = new List<ModelMessage> { new("user", prompt) };
        var sampling = work.Job.Parameters.Sampling;
        var lastAttempt = work.Attempt >= options.Value.MaxAttempts;
        var votes = new List<TagVote>(settings.VoteCount);
        int promptTokens = 0, completionTokens = 0;
        for (var i = 0; i < settings.VoteCount; i++)
        {
            try
            {
                var reply = await model.GenerateAsync(new ModelRequest(work.Job.Provider, work.Job.Model, messages, sampling), ct);
                promptTokens += reply.PromptTokens;
                completionTokens += reply.CompletionTokens;
                votes.Add(TagVote.FromReply(reply.Text, names));
            }
            catch (ModelCallException e) when (!e.Retryable || lastAttempt)
            {
                // As the judge does: a retryable failure redoes the whole sentence, so no vote is stored twice.
                votes.Add(TagVote.CallFailed(e.Message));
            }
        }

        var given = TagAggregator.Aggregate(names, multiChoice, votes);
        var record = new TagVoteRecord
        {
            SentenceId = sentence.Id, TaxonomyId = taxonomyId, Annotator = TagSettings.Annotator(work.Job.Provider, work.Job.Model), JobId = work.Job.Id,
            PromptHash = settings.PromptHash, Temperature = sampling.Temperature, Votes = TagVote.ToJson(votes), Tags = JsonSerializer.Serialize(given),
            CreatedAt = clock.GetUtcNow(),
        };
        return new TagResult(record, given) { PromptTokens = promptTokens, CompletionTokens = completionTokens };
    }

    /// <summary>
    /// Writes the votes and sets the model annotator's tags of the taxonomy on the sentence to those given, each change
    /// decided by <see cref="TagRules"/> and audited as <see cref="TagWriter"/> does. Skips a sentence whose votes exist.
    /// </summary>
    internal sealed class TagResult(TagVoteRecord record, IReadOnlyList<string> given) : JobItemResult
    {
        public override async Task StageAsync(JobWriteBatch batch, CancellationToken ct)
        {
            var db = batch.Db;
            var votes = db.Set<TagVoteRecord>();
            bool Same(TagVoteRecord v) => v.SentenceId == record.SentenceId && v.TaxonomyId == record.TaxonomyId && v.Annotator == record.Annotator && v.PromptHash == record.PromptHash;
            if (votes.Local.Any(Same) || await votes.AnyAsync(v => v.SentenceId == record.SentenceId && v.TaxonomyId == record.TaxonomyId
                && v.Annotator == record.Annotator && v.PromptHash == record.PromptHash, ct))
            {
                return;
            }

            db.Add(record);
            if (db.Database.IsNpgsql())
            {
                // The lock TagWriter takes: this annotator's tag changes one at a time.
                var key = $"tags:{AnnotatorKind.Model}:{record.Annotator}";
                await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", ct);
            }

            var tags = await db.Set<Tag>().AsNoTracking().Where(t => t.TaxonomyId == record.TaxonomyId).Select(t => new { t.Id, t.Name, t.Retired }).ToListAsync(ct);
            var shape = new TaxonomyShape(record.TaxonomyId,
                await db.Set<Taxonomy>().Where(t => t.Id == record.TaxonomyId).Select(t => t.MultiChoice).SingleAsync(ct),
                tags.ToDictionary(t => t.Id, t => t.Retired));
            var tagIds = tags.Select(t => t.Id).ToList();
            var set = db.Set<SentenceTag>();
            bool Mine(SentenceTag t) => t.SentenceId == record.SentenceId && t.AnnotatorKind == AnnotatorKind.Model && t.Annotator == record.Annotator && tagIds.Contains(t.TagId);
            await set.Where(t => t.SentenceId == record.SentenceId && t.AnnotatorKind == AnnotatorKind.Model && t.Annotator == record.Annotator && tagIds.Contains(t.TagId)).LoadAsync(ct);
            var state = set.Local.Where(Mine).Select(t => new TagState(t.SentenceId, t.TagId, t.Note)).ToList();
            var wanted = given.Select(n => tags.Single(t => t.Name == n).Id).ToHashSet();
            var edits = new List<TagEdit>();
            foreach (var tag in state.Select(s => s.TagId).Where(t => !wanted.Contains(t)).ToList().Concat(wanted.Where(t => state.All(s => s.TagId != t))))
            {
                var step = TagRules.Toggle(shape, [tag], [record.SentenceId], state);
                foreach (var edit in step)
                {
                    state.RemoveAll(s => s.TagId == edit.TagId);
                    if (edit.After)
                    {
                        state.Add(new TagState(edit.SentenceId, edit.TagId, edit.NoteAfter));
                    }
                }

                edits.AddRange(step);
            }

            var changeId = Guid.NewGuid();
            var now = record.CreatedAt;
            foreach (var edit in edits)
            {
                if (edit.Action == TagAction.Add)
                {
                    db.Add(new SentenceTag
                    {
                        SentenceId = edit.SentenceId, TagId = edit.TagId, AnnotatorKind = AnnotatorKind.Model, Annotator = record.Annotator,
                        CreatedAt = now, UpdatedAt = now,
                    });
                }
                else
                {
                    db.Remove(set.Local.First(t => Mine(t) && t.TagId == edit.TagId));
                }

                db.Add(new TagAudit
                {
                    ChangeId = changeId, AnnotatorKind = AnnotatorKind.Model, Annotator = record.Annotator, At = now, SentenceId = edit.SentenceId,
                    TagId = edit.TagId, Action = edit.Action, Before = edit.Before, After = edit.After, NoteBefore = edit.NoteBefore, NoteAfter = edit.NoteAfter,
                });
            }
        }
    }
}
