using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Judging;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Statistics;
using TraceViewer.Tags;
using TraceViewer.Text;
using TraceViewer.Web;

namespace TraceViewer.Traces;

/// <summary>Read-only queries behind the dataset and trace pages and the JSON API.</summary>
internal sealed class TraceQueries(TraceViewerDbContext db, MetricsPreview? preview = null, TimeProvider? clock = null)
{
    private static readonly string[] EffectNames =
    [
        MetricNames.PrefixRate,
        MetricNames.ResamplingEffect,
        MetricNames.CounterfactualEffect,
        MetricNames.ResamplingKl,
        MetricNames.CounterfactualKl,
        MetricNames.DissimilarFraction,
    ];

    public async Task<IReadOnlyList<DatasetRow>> ListDatasetsAsync(CancellationToken ct)
    {
        // Counts come from the stored summaries (decision 0051), one row per dataset and per dataset and outcome, never
        // from the traces, labels and metric sets themselves; both are filtered to the caller's datasets.
        var datasets = await db.Set<Dataset>().AsNoTracking()
            .OrderBy(d => d.Name).ThenBy(d => d.Id)
            .Select(d => new
            {
                d.Id, d.Key, d.Name, d.Model, d.Kind, d.SourceFormat, d.PrimaryOutcomeId,
                TraceCount = db.Set<DatasetSummary>().Where(s => s.DatasetId == d.Id).Select(s => s.Traces).FirstOrDefault(),
            })
            .ToListAsync(ct);

        // An outcome belongs to a dataset when a trace there is labelled with it or has metrics for it.
        var outcomes = await db.Set<DatasetOutcomeSummary>().AsNoTracking()
            .Join(db.Set<Outcome>(), u => u.OutcomeId, o => o.Id, (u, o) => new { u.DatasetId, o.Id, o.Key, o.Name })
            .ToListAsync(ct);
        var byDataset = outcomes.ToLookup(o => o.DatasetId);

        return datasets.ConvertAll(d => new DatasetRow(
            d.Id, d.Key, d.Name, d.Model, d.Kind, d.SourceFormat, d.TraceCount,
            [.. byDataset[d.Id]
                .OrderBy(o => o.Id == d.PrimaryOutcomeId ? 0 : 1).ThenBy(o => o.Name, StringComparer.Ordinal)
                .Select(o => new OutcomeRef(o.Key, o.Name))]));
    }

    public async Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken ct) =>
        await db.Set<Trace>().AsNoTracking().Select(t => t.Model).Distinct().OrderBy(m => m).ToListAsync(ct);

    public async Task<IReadOnlyList<OutcomeRef>> ListOutcomesAsync(CancellationToken ct) =>
        await db.Set<Outcome>().AsNoTracking().OrderBy(o => o.Name).Select(o => new OutcomeRef(o.Key, o.Name)).ToListAsync(ct);

    public async Task<TraceFilterOptions> ListFilterOptionsAsync(CancellationToken ct) =>
        new(await ListDatasetsAsync(ct), await ListModelsAsync(ct), await ListOutcomesAsync(ct),
            await db.Set<Trace>().AsNoTracking().Where(t => t.Tier != null).Select(t => t.Tier!).Distinct().OrderBy(t => t).ToListAsync(ct),
            await db.Set<Trace>().AsNoTracking().Where(t => t.Tier != null || t.PromptVariant != null)
                .Select(t => t.PromptVariant ?? DefaultVariant).Distinct().OrderBy(v => v).ToListAsync(ct));

    /// <summary>The name of the prompt variant of traces that have none, as the study page groups them.</summary>
    public const string DefaultVariant = "default";

    /// <summary>
    /// The traces the list's filters select, unordered. "Resample these" and "judge these" start from the same query,
    /// so the list and the job over it count the same traces.
    /// </summary>
    internal static IQueryable<Trace> Filtered(TraceViewerDbContext db, TraceFilter filter) => Filtered(db, filter, withText: true);

    /// <summary>The list's filters; without <paramref name="withText"/> all but the words (which a ranked page joins itself).</summary>
    private static IQueryable<Trace> Filtered(TraceViewerDbContext db, TraceFilter filter, bool withText)
    {
        var traces = db.Set<Trace>().AsNoTracking();

        if (!string.IsNullOrWhiteSpace(filter.Dataset))
        {
            traces = int.TryParse(filter.Dataset, out var datasetId)
                ? traces.Where(t => t.DatasetId == datasetId)
                : traces.Where(t => t.Dataset!.Key == filter.Dataset);
        }

        if (!string.IsNullOrWhiteSpace(filter.Model))
        {
            traces = traces.Where(t => t.Model == filter.Model);
        }

        if (!string.IsNullOrWhiteSpace(filter.Outcome))
        {
            var outcomeKey = filter.Outcome;
            var positive = filter.Positive;
            var labels = db.Set<TraceLabel>()
                .Where(l => db.Set<Outcome>().Any(o => o.Id == l.OutcomeId && o.Key == outcomeKey));
            if (positive is not null)
            {
                labels = labels.Where(l => l.IsPositive == positive);
            }

            traces = traces.Where(t => labels.Any(l => l.TraceId == t.Id));
        }

        if (!string.IsNullOrWhiteSpace(filter.Tier))
        {
            traces = traces.Where(t => t.Tier == filter.Tier);
        }

        if (!string.IsNullOrWhiteSpace(filter.Variant))
        {
            traces = filter.Variant == DefaultVariant
                ? traces.Where(t => t.PromptVariant == null || t.PromptVariant == DefaultVariant)
                : traces.Where(t => t.PromptVariant == filter.Variant);
        }

        if (!string.IsNullOrWhiteSpace(filter.Q) && withText)
        {
            // Whole words (a word ending in * as a prefix), all required, read from the full-text index; a text without
            // a word (only punctuation) matches no trace rather than every one (docs/decisions/0062).
            var terms = SearchTerms.Parse(filter.Q);
            if (terms.Count == 0)
            {
                return traces.Where(t => false);
            }

            var matches = TraceTextMatches(db, terms);
            traces = traces.Where(t => matches.Select(m => m.Id).Contains(t.Id));
        }

        return traces;
    }

    /// <summary>
    /// The ids of the traces whose title, prompt (as shown), reasoning or final output hold every word, read from the
    /// full-text index: SQLite's FTS5 table <c>TraceText</c> (kept by triggers) or, on PostgreSQL, the trace's stored
    /// tsvector (<c>SearchVector</c>, a generated column) and its GIN index, so no trace's text is parsed per request.
    /// </summary>
    internal static IQueryable<TraceTextMatch> TraceTextMatches(TraceViewerDbContext db, IReadOnlyList<string> terms) =>
        db.Database.IsNpgsql()
            ? db.Database.SqlQuery<TraceTextMatch>($"""
                SELECT t."Id", 0.0::float8 AS "Rank" FROM "Trace" AS t
                WHERE t."SearchVector" @@ to_tsquery('simple'::regconfig, {SearchTerms.TsQuery(terms)})
                """)
            : db.Database.SqlQuery<TraceTextMatch>($"""
                SELECT rowid AS "Id", 0.0 AS "Rank" FROM "TraceText" WHERE "TraceText" MATCH {SearchTerms.Fts5(terms)}
                """);

    /// <summary>
    /// The same traces with their relevance, smaller first: SQLite's BM25 and PostgreSQL's <c>ts_rank</c> (negated),
    /// both weighing a word in the title most, in the reasoning and final output next and in the prompt, which
    /// traces of a study often share, least.
    /// </summary>
    internal static IQueryable<TraceTextMatch> RankedTraceTextMatches(TraceViewerDbContext db, IReadOnlyList<string> terms) =>
        db.Database.IsNpgsql()
            ? db.Database.SqlQuery<TraceTextMatch>($"""
                SELECT t."Id", -ts_rank(t."SearchVector", q.query)::float8 AS "Rank"
                FROM "Trace" AS t, to_tsquery('simple'::regconfig, {SearchTerms.TsQuery(terms)}) AS q(query)
                WHERE t."SearchVector" @@ q.query
                """)
            : db.Database.SqlQuery<TraceTextMatch>($"""
                SELECT rowid AS "Id", bm25("TraceText", 10.0, 1.0, 4.0, 4.0) AS "Rank" FROM "TraceText" WHERE "TraceText" MATCH {SearchTerms.Fts5(terms)}
                """);

    public async Task<PagedResult<TraceRow>> ListTracesAsync(TraceFilter filter, CancellationToken ct)
    {
        var pageSize = Math.Clamp(filter.PageSize, 1, TraceFilter.MaxPageSize);
        var page = Math.Max(1, filter.Page);
        var traces = Filtered(db, filter);
        var total = await traces.CountAsync(ct);
        var terms = SearchTerms.Parse(filter.Q);
        var ordered = filter.Sort switch
        {
            // Most relevant first, ties by id; the matches and their ranks are read once, from the full-text index.
            TraceSort.Relevance when terms.Count > 0 =>
                from t in Filtered(db, filter, withText: false)
                join m in RankedTraceTextMatches(db, terms) on t.Id equals m.Id
                orderby m.Rank, t.Id
                select t,
            TraceSort.Title => traces.OrderBy(t => t.Title).ThenBy(t => t.Id),
            // Ids grow with import order, and SQLite cannot order by DateTimeOffset.
            TraceSort.Newest => traces.OrderByDescending(t => t.Id),
            _ => traces.OrderBy(t => t.MaxImportance == null).ThenByDescending(t => t.MaxImportance).ThenBy(t => t.Id),
        };
        var rows = await ordered
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(t => new
            {
                t.Id, t.Title, t.DatasetId, DatasetName = t.Dataset!.Name, t.Model, t.Tier, t.PromptVariant,
                t.SentenceCount, t.ResampleCount, t.MaxImportance, t.ImportedAt,
            })
            .ToListAsync(ct);

        var ids = rows.ConvertAll(r => r.Id);
        var labelsByTrace = (await LoadBaseLabelsAsync(db.Set<TraceLabel>().Where(l => ids.Contains(l.TraceId)), ct)).ToLookup(l => l.TraceId, l => l.Label);

        return new PagedResult<TraceRow>(
            rows.ConvertAll(r => new TraceRow(
                r.Id, r.Title, r.DatasetId, r.DatasetName, r.Model, r.Tier, r.PromptVariant, r.SentenceCount, r.ResampleCount,
                FiniteNumbers.OrNull(r.MaxImportance), r.ImportedAt, [.. labelsByTrace[r.Id]])),
            page, pageSize, total);
    }

    public Task<TraceDocument?> GetTraceAsync(int id, CancellationToken ct) => GetTraceAsync(id, null, ct);

    /// <summary>
    /// Everything the trace page and <c>GET /api/traces/{id}</c> show, in a handful of queries and without resamples
    /// unless <paramref name="threshold"/> asks for numbers no stored set has (then computed from the resamples, not stored).
    /// </summary>
    public async Task<TraceDocument?> GetTraceAsync(int id, double? threshold, CancellationToken ct, ResampleChoice? resamples = null)
    {
        var trace = await db.Set<Trace>().AsNoTracking()
            .Where(t => t.Id == id)
            .Select(t => new
            {
                t.Id, t.Title, t.Model, t.Tier, t.PromptVariant, t.Prompt, t.SystemPrompt, t.UserPrompt, t.Reasoning, t.FinalOutput,
                t.SourcePath, t.SourceFormat, t.ResampleCount, t.HasLabelledResamples, t.Metadata,
                Dataset = new { t.Dataset!.Id, t.Dataset.Key, t.Dataset.Name, t.Dataset.Kind, t.Dataset.PrimaryOutcomeId },
                // A study compares groups (tier, prompt variant): its page has something to show from two groups on.
                StudyGroups = t.Dataset.Kind == StudyKind
                    ? db.Set<Trace>().Where(o => o.DatasetId == t.DatasetId && o.Tier != null).Select(o => new { o.Tier, o.PromptVariant }).Distinct().Count()
                    : 0,
            })
            .SingleOrDefaultAsync(ct);
        if (trace is null)
        {
            return null;
        }

        var sentences = await db.Set<Sentence>().AsNoTracking()
            .Where(s => s.TraceId == id)
            .OrderBy(s => s.Index)
            .Select(s => new { s.Index, s.Text, s.Separator, s.Start, s.End, s.Summary })
            .ToListAsync(ct);
        var tags = await TagReads.ForTraceAsync(db, id, ct);
        var indices = sentences.ConvertAll(s => s.Index);
        var metrics = await GetMetricsAsync(id, threshold, trace.Dataset.PrimaryOutcomeId, indices, ct, resamples: resamples);

        return new TraceDocument(
            trace.Id,
            trace.Title,
            new DatasetRef(trace.Dataset.Id, trace.Dataset.Key, trace.Dataset.Name, trace.Dataset.Kind, metrics.PrimaryKey, trace.StudyGroups > 1),
            trace.Model,
            trace.Tier,
            trace.PromptVariant,
            ComposePrompt(trace.Prompt, trace.SystemPrompt, trace.UserPrompt),
            trace.Reasoning,
            trace.FinalOutput,
            trace.SourcePath,
            trace.SourceFormat,
            trace.ResampleCount,
            sentences.ConvertAll(s => new SentenceView(
                s.Index, s.Text, s.Separator, s.Start, s.End,
                tags.TryGetValue(s.Index, out var own) ? own : [], s.Summary)),
            metrics.Outcomes,
            trace.HasLabelledResamples,
            metrics.StoredThresholds,
            TraceFacts.FromMetadata(trace.Metadata));
    }

    /// <summary>
    /// The trace's metrics at another threshold, for a page that has the rest of the trace: its outcomes and stored
    /// thresholds replaced, in three queries (labels, sets, values) instead of the whole document's five.
    /// </summary>
    public async Task<TraceDocument> WithThresholdAsync(TraceDocument document, double? threshold, CancellationToken ct, ResampleChoice? resamples = null)
    {
        var metrics = await GetMetricsAsync(document.Id, threshold, null, [.. document.Sentences.Select(s => s.Index)], ct, document.Dataset.PrimaryOutcome, resamples);
        return document with { Outcomes = metrics.Outcomes, StoredThresholds = metrics.StoredThresholds };
    }

    private static readonly TraceViewer.Datasets.DatasetKind StudyKind = TraceViewer.Datasets.DatasetKind.AlignmentFaking;

    /// <summary>Links of one kind shown each way (driving later sentences, driven by earlier ones).</summary>
    public const int LinksShown = 5;

    private sealed record TraceMetrics(List<OutcomeMetrics> Outcomes, IReadOnlyList<double> StoredThresholds, string? PrimaryKey);

    /// <summary>The primary outcome is given by id (from the dataset) or, for a document already read, by its key.</summary>
    private async Task<TraceMetrics> GetMetricsAsync(
        int id, double? threshold, int? primaryOutcomeId, List<int> indices, CancellationToken ct, string? primaryKey = null, ResampleChoice? resamples = null)
    {
        var labels = await LoadBaseLabelsAsync(db.Set<TraceLabel>().Where(l => l.TraceId == id), ct);
        var (sets, stored) = await ResolveMetricSetsAsync(id, threshold, ct, resamples);
        primaryOutcomeId ??= sets.FirstOrDefault(s => s.OutcomeKey == primaryKey)?.OutcomeId ?? labels.FirstOrDefault(l => l.Label.Outcome == primaryKey)?.OutcomeId;
        var valuesBySet = await LoadValuesAsync(sets, ct);
        var outcomes = OrderOutcomes(sets, labels.Select(l => l.Label), primaryOutcomeId)
            // The resamples the shown numbers rest on: what the page states beside the total, in the header and the panel alike.
            .Select(o => BuildOutcome(o.Set, o.Label, o.Key, o.Name, valuesBySet, indices) with { LabelledResamples = o.Set?.ResampleCount ?? 0 })
            .ToList();
        return new TraceMetrics(
            outcomes,
            stored,
            sets.FirstOrDefault(s => s.OutcomeId == primaryOutcomeId)?.OutcomeKey ?? labels.FirstOrDefault(l => l.OutcomeId == primaryOutcomeId)?.Label.Outcome);
    }

    /// <summary>
    /// The resamples at one position grouped by their first sentence, most frequent first, with their outcome labels
    /// counted per group, and the imported links from and to the sentence: two queries, grouped in the database. With
    /// <paramref name="similarityModel"/> (the model the shown metrics used), each group's similarity to the original
    /// sentence under that model when its vectors are at hand.
    /// </summary>
    /// <param name="vectors">Embedding vectors a page already looked up (kept for the page's life), so a selection reads no vector twice.</param>
    public async Task<SentenceResamples> GetSentenceResamplesAsync(
        int traceId, int index, string? original, CancellationToken ct, string? similarityModel = null, TraceViewer.Embeddings.VectorMemo? vectors = null)
    {
        var resamples = db.Set<Resample>().AsNoTracking().Where(r => r.TraceId == traceId && r.Position == index);
        // One command: the resamples per first sentence, then their labels per outcome and value (UNION ALL).
        var rows = await resamples
            .GroupBy(r => r.FirstSentence)
            .Select(g => new GroupedResamples { FirstSentence = g.Key, Labelled = false, Key = null, Name = null, IsPositive = null, Count = g.Count() })
            .Concat(
                from r in resamples
                from l in r.Labels
                join o in db.Set<Outcome>() on l.OutcomeId equals o.Id
                group l by new { r.FirstSentence, o.Key, o.Name, l.IsPositive } into g
                select new GroupedResamples { FirstSentence = g.Key.FirstSentence, Labelled = true, Key = g.Key.Key, Name = g.Key.Name, IsPositive = g.Key.IsPositive, Count = g.Count() })
            // And per source (imported or generated), under Key.
            .Concat(resamples
                .GroupBy(r => new { r.FirstSentence, r.Origin })
                .Select(g => new GroupedResamples { FirstSentence = g.Key.FirstSentence, Labelled = false, Key = g.Key.Origin == ResampleOrigin.Generated ? ResampleOrigins.GeneratedName : ResampleOrigins.ImportedName, Name = null, IsPositive = null, Count = g.Count() }))
            .ToListAsync(ct);
        var labelled = rows.Where(r => r.Labelled).ToList();
        var groups = rows.Where(r => !r.Labelled && r.Key is null).Select(r => new { Text = r.FirstSentence, r.Count }).ToList();
        var origins = rows.Where(r => !r.Labelled && r.Key is not null).ToLookup(r => r.FirstSentence ?? "");
        var labelsByText = labelled.ToLookup(l => l.FirstSentence ?? "");
        var alternatives = groups
            .Where(g => !string.IsNullOrEmpty(g.Text))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Text, StringComparer.Ordinal)
            .Select(g => new Alternative(
                g.Text!,
                g.Count,
                ResampleText.Identical(g.Text, original),
                [.. labelsByText[g.Text!]
                    .GroupBy(l => (l.Key, l.Name))
                    .OrderBy(o => o.Key.Name, StringComparer.Ordinal)
                    .Select(o => new AlternativeOutcome(
                        o.Key.Key!, o.Key.Name!,
                        o.Where(l => l.IsPositive == true).Sum(l => l.Count),
                        o.Where(l => l.IsPositive == false).Sum(l => l.Count),
                        o.Where(l => l.IsPositive is null).Sum(l => l.Count)))])
            {
                Generated = origins[g.Text!].Where(o => o.Key == ResampleOrigins.GeneratedName).Sum(o => o.Count),
            })
            .ToList();

        // The sentence's own rows give the later sentences it drives; the rows of earlier sentences, each searched for this
        // sentence, the earlier ones that drive it.
        var linkRows = await db.Set<SentenceLinkRow>().AsNoTracking()
            .Where(l => l.TraceId == traceId && l.SourceIndex <= index)
            .OrderBy(l => l.Kind).ThenBy(l => l.SourceIndex)
            .ToListAsync(ct);
        var links = new List<SentenceLinkView>();
        foreach (var row in linkRows)
        {
            if (row.SourceIndex == index)
            {
                links.AddRange(PackedLinks.Unpack(row).Where(l => l.Target > index).Select(l => new SentenceLinkView(row.Kind, index, l.Target, l.Score)));
            }
            else if (PackedLinks.Find(row, index) is { } score)
            {
                links.Add(new SentenceLinkView(row.Kind, row.SourceIndex, index, score));
            }
        }

        // Of each kind, the strongest later sentences it drives and earlier ones that drive it; the rest is never shown.
        links = [.. links
            .GroupBy(l => (l.Kind, Later: l.Source == index))
            .SelectMany(g => g.OrderByDescending(l => Math.Abs(l.Score)).ThenBy(l => g.Key.Later ? l.Target : l.Source).Take(LinksShown))];

        string? measuredWith = null;
        if (similarityModel is not null && original is not null && preview is not null && alternatives.Count > 0)
        {
            var similarities = await preview.SimilaritiesAsync(traceId, similarityModel, original, [.. alternatives.Select(a => a.Text)], ct, vectors);
            if (similarities is not null)
            {
                measuredWith = similarityModel;
                alternatives = alternatives.ConvertAll(a => a with { Similarity = similarities.TryGetValue(a.Text, out var v) ? FiniteNumbers.OrNull(v) : null });
            }
        }

        return new SentenceResamples(traceId, index, groups.Sum(g => g.Count), alternatives, links, measuredWith);
    }

    /// <summary>One resample of a trace in full, with its labels and every judge vote; null when the trace has no such resample.</summary>
    public async Task<ResampleDocument?> GetResampleAsync(int traceId, long resampleId, CancellationToken ct) =>
        (await LoadResamplesAsync(db.Set<Resample>().Where(r => r.TraceId == traceId && r.Id == resampleId), ct)).SingleOrDefault();

    /// <summary>
    /// The resamples at one position that begin with <paramref name="firstSentence"/>, in sample order: after the first
    /// <paramref name="skip"/>, the next <paramref name="limit"/> in full, and how many there are in all.
    /// </summary>
    public async Task<AlternativeResamples> GetAlternativeResamplesAsync(int traceId, int position, string firstSentence, int skip, int limit, CancellationToken ct)
    {
        var resamples = db.Set<Resample>().Where(r => r.TraceId == traceId && r.Position == position && r.FirstSentence == firstSentence);
        var total = await resamples.CountAsync(ct);
        var shown = await LoadResamplesAsync(resamples.OrderBy(r => r.SampleIndex).ThenBy(r => r.Id).Skip(Math.Max(0, skip)).Take(Math.Max(0, limit)), ct);
        return new AlternativeResamples(traceId, position, firstSentence, total, shown);
    }

    /// <summary>Resamples with their outcome values and judge labels: three queries whatever the count.</summary>
    private async Task<List<ResampleDocument>> LoadResamplesAsync(IQueryable<Resample> query, CancellationToken ct)
    {
        var rows = await query.AsNoTracking()
            .Select(r => new
            {
                r.Id, r.TraceId, r.Position, r.SampleIndex, r.FirstSentence, r.Continuation, r.FinalOutput, r.Answer, r.Error,
                r.Origin, r.CreatedAt, r.Metadata, r.PromptTokens, r.CompletionTokens,
            })
            .ToListAsync(ct);
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = rows.ConvertAll(r => r.Id);
        var values = await (
                from l in db.Set<ResampleLabel>().AsNoTracking()
                where ids.Contains(l.ResampleId)
                join o in db.Set<Outcome>() on l.OutcomeId equals o.Id
                select new { l.ResampleId, o.Key, o.Name, l.Value, l.IsPositive })
            .ToListAsync(ct);
        var judged = await (
                from j in db.Set<JudgeLabel>().AsNoTracking()
                where j.ResampleId != null && ids.Contains(j.ResampleId.Value)
                join o in db.Set<Outcome>() on j.OutcomeId equals o.Id
                select new { ResampleId = j.ResampleId!.Value, o.Key, o.Name, Label = j })
            .ToListAsync(ct);
        var valuesByResample = values.ToLookup(v => v.ResampleId);
        var judgedByResample = judged.ToLookup(j => j.ResampleId);

        return rows
            .OrderBy(r => r.Position).ThenBy(r => r.SampleIndex)
            .Select(r =>
            {
                var judgements = judgedByResample[r.Id].ToLookup(j => j.Key);
                var outcomes = valuesByResample[r.Id].Select(v => (v.Key, v.Name, Value: (string?)v.Value, v.IsPositive))
                    .Concat(judgedByResample[r.Id].Where(j => !valuesByResample[r.Id].Any(v => v.Key == j.Key))
                        .Select(j => (j.Key, j.Name, Value: (string?)null, IsPositive: (bool?)null)).DistinctBy(o => o.Key))
                    .OrderBy(o => o.Name, StringComparer.Ordinal)
                    .Select(o => new ResampleOutcomeLabel(o.Key, o.Name, o.Value, o.IsPositive, [.. judgements[o.Key]
                        .Select(j => j.Label)
                        .OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id)
                        .Select(l => ResampleEvidence.Judgement(l.Id, l.Classifier, l.Version, l.PromptHash, l.Score, l.Threshold, l.Label, l.CreatedAt, l.Votes, l.ThresholdInclusive, l.MaxFailedShare))]))
                    .ToList();
                return new ResampleDocument(
                    r.Id, r.TraceId, r.Position, r.SampleIndex, r.FirstSentence, r.Continuation, r.FinalOutput, r.Answer, r.Error,
                    ResampleEvidence.Source(r.Origin, r.CreatedAt, r.Metadata, r.PromptTokens, r.CompletionTokens), outcomes);
            })
            .ToList();
    }

    private sealed record MetricSetRow(
        int Id, int OutcomeId, string OutcomeKey, string OutcomeName, MetricSource Source, string? SourceFile, double? Threshold,
        string? EmbeddingModel, double? Alpha, int ResampleCount, DateTimeOffset ComputedAt, string? Parameters)
    {
        public bool OnTheFly { get; init; }

        /// <summary>Of <see cref="ResampleCount"/>, imported and generated resamples (recorded by computed sets).</summary>
        public int? ImportedCount { get; init; }

        public int? GeneratedCount { get; init; }

        /// <summary>The imported set of the same outcome, shown beside a computed one.</summary>
        public MetricSetRow? Imported { get; init; }

        /// <summary>Values computed on the fly; stored sets read theirs from the database.</summary>
        public IReadOnlyList<MetricValue>? Values { get; init; }

        /// <summary>Positions with a prefix rate: with <see cref="ResampleCount"/>, the set's coverage.</summary>
        public int Positions { get; init; }

        /// <summary>Why this set is shown rather than the other source's, when both exist.</summary>
        public string? Reason { get; init; }

        public MetricSetChoice Choice(int traceId) => new(Id, traceId, OutcomeId, Source, Threshold, EmbeddingModel, ComputedAt, ResampleCount, Positions);
    }

    private sealed record MetricValue(int SetId, int Index, string Name, double Value, double? Low, double? High, int? Count, int? Successes);

    private sealed record LabelRow(int TraceId, int OutcomeId, BaseLabel Label);

    private sealed record OutcomeSlot(string Key, string Name, MetricSetRow? Set, BaseLabel? Label);

    /// <summary>
    /// The metric set shown for each outcome, chosen by <see cref="ShownMetricSets"/>: without a threshold its default
    /// policy; with one, the stored set at that threshold, else numbers computed now from the stored resamples, else
    /// (no labelled resamples) the default set. A computed set carries the newest imported set for comparison.
    /// </summary>
    /// <remarks>
    /// With <paramref name="resamples"/> (imported or generated) only numbers resting on those resamples are shown: an
    /// imported set or a computed set that used no other, else numbers computed now from those resamples alone, else none.
    /// </remarks>
    private async Task<(List<MetricSetRow> Shown, IReadOnlyList<double> StoredThresholds)> ResolveMetricSetsAsync(
        int traceId, double? threshold, CancellationToken ct, ResampleChoice? resamples = null)
    {
        var all = await db.Set<MetricSet>().AsNoTracking()
            .Where(m => m.TraceId == traceId)
            .Join(db.Set<Outcome>(), m => m.OutcomeId, o => o.Id, (m, o) => new MetricSetRow(
                m.Id, m.OutcomeId, o.Key, o.Name, m.Source, m.SourceFile, m.Threshold, m.EmbeddingModel, m.Alpha, m.ResampleCount, m.ComputedAt, m.Parameters)
            {
                ImportedCount = m.ImportedResamples,
                GeneratedCount = m.GeneratedResamples,
                Positions = m.Values.Count(v => v.Name == MetricNames.PrefixRate),
            })
            .ToListAsync(ct);
        var byId = all.ToDictionary(s => s.Id);
        MetricSetRow? Pick(IEnumerable<MetricSetRow> sets, MetricSetPolicy policy) =>
            ShownMetricSets.Pick(sets.Select(s => s.Choice(traceId)), policy) is { } choice ? byId[choice.Id] : null;
        var asked = new MetricSetPolicy(Threshold: threshold);
        bool FromChosen(MetricSetRow s) => resamples switch
        {
            ResampleChoice.All => s.Source == MetricSource.Computed,
            ResampleChoice.Imported => s.Source == MetricSource.Imported || s.GeneratedCount == 0,
            ResampleChoice.Generated => s.Source == MetricSource.Computed && s.ImportedCount == 0,
            _ => true,
        };

        var shown = new Dictionary<int, MetricSetRow>();
        var missing = new List<int>();
        foreach (var group in all.GroupBy(s => s.OutcomeId))
        {
            var choice = ShownMetricSets.Choose(group.Where(FromChosen).Select(s => s.Choice(traceId)), asked);
            var pick = choice.Shown is { } chosen ? byId[chosen.Id] with { Reason = resamples is null ? choice.Reason() : ChosenReason(resamples.Value) } : null;
            if (pick is null)
            {
                missing.Add(group.Key);
                pick = Pick(group, MetricSetPolicy.Default)!;
            }

            shown[group.Key] = WithImported(pick, group);
        }

        if (missing.Count > 0 && (threshold ?? (resamples is null ? null : Pick(all.Where(s => s.Source == MetricSource.Computed), MetricSetPolicy.Default)?.Threshold ?? Metrics.Engine.MetricsParameters.TraceViewerDefaults.Threshold)) is { } value
            && preview is not null)
        {
            // The newest computed set lends its parameters; the newest set of any source its embedding model.
            var template = Pick(all.Where(s => s.Source == MetricSource.Computed), MetricSetPolicy.Default);
            var parameters = MetricsParametersJson.Parse(template?.Parameters, value, template?.Alpha);
            var preferredModel = template?.EmbeddingModel ?? Pick(all, MetricSetPolicy.Default)?.EmbeddingModel;
            var now = (clock ?? TimeProvider.System).GetUtcNow();
            // New resamples reach the metrics through a recompute (new set ids) or an import (new content hash).
            var stamp = await db.Set<Trace>().AsNoTracking().Where(t => t.Id == traceId).Select(t => new { t.ContentHash, t.ResampleCount }).SingleAsync(ct);
            var version = $"{stamp.ContentHash}:{stamp.ResampleCount}:{(all.Count == 0 ? 0 : all.Max(s => s.Id))}:{resamples?.QueryValue()}";
            var computedNow = new HashSet<int>();
            foreach (var set in await preview.ComputeAsync(traceId, version, parameters, preferredModel, missing, ct, resamples.Origin()))
            {
                var current = shown[set.OutcomeId];
                var id = -1 - set.OutcomeId;
                var row = new MetricSetRow(
                    id, set.OutcomeId, current.OutcomeKey, current.OutcomeName, MetricSource.Computed, null, value, set.EmbeddingModel,
                    parameters.Alpha, set.ResampleCount, now, MetricsParametersJson.Serialize(parameters))
                {
                    OnTheFly = true,
                    ImportedCount = resamples == ResampleChoice.Generated ? 0 : resamples == ResampleChoice.Imported ? set.ResampleCount : null,
                    GeneratedCount = resamples == ResampleChoice.Imported ? 0 : resamples == ResampleChoice.Generated ? set.ResampleCount : null,
                    Values = [.. set.Values.Where(v => EffectNames.Contains(v.Name))
                        .Select(v => new MetricValue(id, v.SentenceIndex, v.Name, v.Value, v.Low, v.High, v.Count, v.Successes))],
                };
                shown[set.OutcomeId] = WithImported(row, all.Where(s => s.OutcomeId == set.OutcomeId));
                computedNow.Add(set.OutcomeId);
            }

            // A chosen source with no labelled resamples for an outcome gives it no numbers, not those of the other source.
            foreach (var outcomeId in missing.Where(o => resamples is not null && !computedNow.Contains(o)))
            {
                shown.Remove(outcomeId);
            }
        }
        else if (resamples is not null)
        {
            foreach (var outcomeId in missing)
            {
                shown.Remove(outcomeId);
            }
        }

        IReadOnlyList<double> stored = [.. all.Select(s => s.Threshold).OfType<double>().Distinct().Order()];
        return ([.. shown.Values], stored);

        MetricSetRow WithImported(MetricSetRow pick, IEnumerable<MetricSetRow> group) =>
            pick.Source == MetricSource.Computed && Pick(group, MetricSetPolicy.Default with { PreferredSource = MetricSource.Imported }) is { Source: MetricSource.Imported } imported
                ? pick with { Imported = imported }
                : pick;
    }

    /// <summary>Why a set is shown when the reader chose the resamples in the address.</summary>
    private static string ChosenReason(ResampleChoice resamples) => resamples switch
    {
        ResampleChoice.All => "Shown as chosen: the set computed from every labelled resample, imported and generated, whatever its coverage.",
        ResampleChoice.Imported => "Shown as chosen: only numbers resting on imported resamples.",
        _ => "Shown as chosen: only numbers resting on resamples generated by jobs.",
    };

    /// <summary>Values of the shown and compared sets by set id.</summary>
    private async Task<ILookup<int, MetricValue>> LoadValuesAsync(List<MetricSetRow> shown, CancellationToken ct)
    {
        var ids = shown.Where(s => !s.OnTheFly).Select(s => s.Id)
            .Concat(shown.Select(s => s.Imported?.Id).OfType<int>())
            .ToList();
        var query = db.Set<SentenceMetric>().AsNoTracking().Where(v => ids.Contains(v.MetricSetId) && EffectNames.Contains(v.Name));
        var values = await query
            .Select(v => new MetricValue(v.MetricSetId, v.SentenceIndex, v.Name, v.Value, v.Low, v.High, v.Count, v.Successes))
            .ToListAsync(ct);
        // A number that is not finite is not defined (docs/decisions/0008), whatever wrote it.
        values = values.Where(v => double.IsFinite(v.Value))
            .Select(v => double.IsFinite(v.Low ?? 0) && double.IsFinite(v.High ?? 0) ? v : v with { Low = null, High = null })
            .ToList();
        return values.Concat(shown.SelectMany(s => s.Values ?? [])).ToLookup(v => v.SetId);
    }

    private async Task<List<LabelRow>> LoadBaseLabelsAsync(IQueryable<TraceLabel> labels, CancellationToken ct) =>
        await labels.AsNoTracking()
            .Join(db.Set<Outcome>(), l => l.OutcomeId, o => o.Id, (l, o) => new LabelRow(l.TraceId, l.OutcomeId, new BaseLabel(o.Key, o.Name, l.Value, l.IsPositive)))
            .ToListAsync(ct);

    /// <summary>Every outcome with metrics or a base label, the dataset's primary outcome first.</summary>
    private static List<OutcomeSlot> OrderOutcomes(List<MetricSetRow> sets, IEnumerable<BaseLabel> labels, int? primaryOutcomeId)
    {
        var labelByKey = labels.ToDictionary(l => l.Outcome);
        var slots = sets
            .OrderBy(s => s.OutcomeId == primaryOutcomeId ? 0 : 1).ThenBy(s => s.OutcomeName, StringComparer.Ordinal)
            .Select(s => new OutcomeSlot(s.OutcomeKey, s.OutcomeName, s, labelByKey.GetValueOrDefault(s.OutcomeKey)))
            .ToList();
        var measured = slots.Select(s => s.Key).ToHashSet();
        slots.AddRange(labelByKey.Values.Where(l => !measured.Contains(l.Outcome)).Select(l => new OutcomeSlot(l.Outcome, l.OutcomeName, null, l)));
        return slots;
    }

    private static OutcomeMetrics BuildOutcome(
        MetricSetRow? set, BaseLabel? label, string key, string name, ILookup<int, MetricValue> valuesBySet, List<int> sentenceIndices)
    {
        var shown = BuildOutcome(set, label, key, name, valuesBySet[set?.Id ?? int.MinValue], sentenceIndices);
        return set?.Imported is { } imported
            ? shown with { Imported = BuildOutcome(imported, label, key, name, valuesBySet[imported.Id], sentenceIndices) }
            : shown;
    }

    private static OutcomeMetrics BuildOutcome(
        MetricSetRow? set, BaseLabel? label, string key, string name, IEnumerable<MetricValue> values, List<int> sentenceIndices)
    {
        var rates = new List<PrefixRate>();
        var byIndex = new Dictionary<int, Dictionary<string, MetricValue>>();
        foreach (var value in values)
        {
            if (value.Name == MetricNames.PrefixRate)
            {
                rates.Add(ToPrefixRate(value));
                continue;
            }

            if (!byIndex.TryGetValue(value.Index, out var named))
            {
                byIndex[value.Index] = named = new Dictionary<string, MetricValue>(StringComparer.Ordinal);
            }

            named[value.Name] = value;
        }

        rates.Sort((a, b) => a.Index.CompareTo(b.Index));
        var effects = new List<SentenceEffects>(sentenceIndices.Count);
        foreach (var index in sentenceIndices)
        {
            var named = byIndex.GetValueOrDefault(index);
            var resampling = ToEstimate(named?.GetValueOrDefault(MetricNames.ResamplingEffect));
            var counterfactual = ToEstimate(named?.GetValueOrDefault(MetricNames.CounterfactualEffect));
            var dissimilar = named?.GetValueOrDefault(MetricNames.DissimilarFraction)?.Value;
            var influence = ShownMetricSets.Influence(counterfactual?.Value, resampling?.Value, dissimilar);
            effects.Add(new SentenceEffects(
                index, resampling, counterfactual,
                named?.GetValueOrDefault(MetricNames.ResamplingKl)?.Value,
                named?.GetValueOrDefault(MetricNames.CounterfactualKl)?.Value,
                dissimilar, influence.Direction, influence.Importance, influence.Fallback));
        }

        var provenance = set is null
            ? null
            : new MetricsProvenance(
                set.Source.ToString(), set.SourceFile, set.Threshold, set.EmbeddingModel, set.Alpha, set.ResampleCount, set.ComputedAt,
                set.OnTheFly, set.Source == MetricSource.Computed ? MetricsParametersJson.Parse(set.Parameters, set.Threshold, set.Alpha).Mode.ToString() : null)
            {
                ImportedResamples = set.ImportedCount,
                GeneratedResamples = set.GeneratedCount,
                Reason = set.Reason,
            };
        return new OutcomeMetrics(key, name, label, provenance, rates, effects);
    }

    /// <summary>Uses the stored interval, or the Wilson interval of the stored counts when the source gave none.</summary>
    private static PrefixRate ToPrefixRate(MetricValue value)
    {
        var (low, high) = (value.Low, value.High);
        if ((low is null || high is null) && value is { Count: > 0 and var n, Successes: { } k } && k >= 0 && k <= n)
        {
            var interval = Wilson.Interval(k, n);
            (low, high) = (interval.Low, interval.High);
        }

        return new PrefixRate(value.Index, value.Value, low, high, value.Count, value.Successes);
    }

    private static Estimate? ToEstimate(MetricValue? value) =>
        value is null ? null : new Estimate(value.Value, value.Low, value.High, value.Count, value.Successes);

    private static string ComposePrompt(string prompt, string? systemPrompt, string? userPrompt) =>
        !string.IsNullOrEmpty(prompt)
            ? prompt
            : string.Join("\n\n", new[] { systemPrompt, userPrompt }.Where(p => !string.IsNullOrEmpty(p)));
}

/// <summary>One row of the grouped resamples of a position: a first sentence's count, or its labels for one outcome and value.</summary>
internal sealed class GroupedResamples
{
    public string? FirstSentence { get; init; }

    public bool Labelled { get; init; }

    public string? Key { get; init; }

    public string? Name { get; init; }

    public bool? IsPositive { get; init; }

    public int Count { get; init; }
}

/// <summary>A trace the full-text index matched, with its relevance (smaller is more relevant; 0 where not ranked).</summary>
internal sealed class TraceTextMatch
{
    public int Id { get; set; }

    public double Rank { get; set; }
}
