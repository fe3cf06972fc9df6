using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Tags;
using TraceViewer.Text;
using TraceViewer.Traces;

namespace TraceViewer.Search;

/// <summary>Finds sentences across traces by text, tag (imported or given), dataset, and direction and size of effect.</summary>
internal sealed class SearchQueries(TraceViewerDbContext db)
{
    private const string LikeEscape = "\\";

    /// <summary>
    /// Hits are counted up to here (or to the end of the page asked for, if further) and not on: beyond it the page
    /// says "1,000+", so a common word or a whole outcome costs the same on any size of study (docs/decisions/0045).
    /// </summary>
    internal const int CountLimit = 1000;

    /// <summary>
    /// A search with words and an outcome first reads up to this many of the words' matches from the full-text index
    /// (which stops there). If that is all of them the words are rare and their sentences drive the query (each looked
    /// up in <see cref="SearchEffect"/> by key, the few sorted); otherwise the words are common and the outcome's rank
    /// index drives, each row checked against the words, so a page and the capped count stop early (docs/decisions/0052).
    /// </summary>
    internal const int DefaultRareWordLimit = 2000;

    /// <summary>The rare-word limit this instance uses (<see cref="DefaultRareWordLimit"/>; tests lower it to reach the other plan).</summary>
    internal int RareWordLimit { get; set; } = DefaultRareWordLimit;

    private static readonly string[] EffectNames =
    [
        MetricNames.ResamplingEffect,
        MetricNames.CounterfactualEffect,
        MetricNames.ResamplingKl,
        MetricNames.CounterfactualKl,
        MetricNames.DissimilarFraction,
    ];

    public async Task<SearchOptions> ListOptionsAsync(CancellationToken ct)
    {
        var datasets = await db.Set<Dataset>().AsNoTracking()
            .OrderBy(d => d.Name).ThenBy(d => d.Id)
            .Select(d => new SearchDataset(d.Id, d.Key, d.Name))
            .ToListAsync(ct);
        // Direction and size need per-sentence metrics, so only outcomes that have them are offered.
        var outcomes = await db.Set<Outcome>().AsNoTracking()
            .Where(o => db.Set<MetricSet>().Any(m => m.OutcomeId == o.Id))
            .OrderBy(o => o.Name)
            .Select(o => new OutcomeRef(o.Key, o.Name))
            .ToListAsync(ct);
        var tags = await TagReads.NamesInUseAsync(db, ct);
        return new SearchOptions(datasets, outcomes, tags);
    }

    public async Task<PagedResult<SentenceHit>> FindAsync(SentenceSearchFilter filter, CancellationToken ct)
    {
        var page = Math.Max(1, filter.Page);
        var (rows, unordered, outcomeId) = await RowsAsync(filter, ct);
        var limit = Math.Max(CountLimit, page * SentenceSearchFilter.PageSize);
        // Counted without the order, so the database stops at the limit instead of first sorting every hit.
        var counted = await unordered.Take(limit + 1).CountAsync(ct);
        var pageRows = await PageOf(rows, page).ToListAsync(ct);
        var effects = outcomeId is not null ? await LoadEffectsAsync(pageRows, filter.Effect, ct) : null;
        var tags = await TagReads.ForSentencesAsync(db, pageRows.ConvertAll(r => r.SentenceId), ct);

        return new PagedResult<SentenceHit>(
            pageRows.ConvertAll(r => new SentenceHit(
                r.TraceId, r.TraceTitle, r.DatasetName, r.Index, r.Text,
                tags.TryGetValue(r.SentenceId, out var own) ? [.. own.Select(t => t.Tag).Distinct(StringComparer.Ordinal)] : [],
                effects?.GetValueOrDefault((r.TraceId, r.Index)))),
            page, SentenceSearchFilter.PageSize, Math.Min(counted, limit), counted > limit);
    }

    /// <summary>The database command that counts the hits, up to the limit (for reading its query plan).</summary>
    internal async Task<System.Data.Common.DbCommand> CountCommandAsync(SentenceSearchFilter filter, CancellationToken ct)
    {
        var (_, rows, _) = await RowsAsync(filter, ct);
        var limit = Math.Max(CountLimit, Math.Max(1, filter.Page) * SentenceSearchFilter.PageSize);
        return rows.Take(limit + 1).Select(r => r.SentenceId).CreateDbCommand();
    }

    /// <summary>The database command that reads one page of hits (for reading its query plan).</summary>
    internal async Task<System.Data.Common.DbCommand> PageCommandAsync(SentenceSearchFilter filter, CancellationToken ct) =>
        PageOf((await RowsAsync(filter, ct)).Rows, Math.Max(1, filter.Page)).CreateDbCommand();

    private static IQueryable<HitRow> PageOf(IQueryable<HitRow> rows, int page) =>
        rows.Skip((page - 1) * SentenceSearchFilter.PageSize).Take(SentenceSearchFilter.PageSize);

    /// <summary>The hits in the order shown, the same hits unordered (for counting), and the outcome's id if one is asked for.</summary>
    private async Task<(IQueryable<HitRow> Rows, IQueryable<HitRow> Unordered, int? OutcomeId)> RowsAsync(SentenceSearchFilter filter, CancellationToken ct)
    {
        var sentences = db.Set<Sentence>().AsNoTracking();
        // Words go to the database's full-text index; a text without any word (only punctuation) is matched as a
        // substring, lower-cased on both sides so it ignores case on every provider.
        IQueryable<TextMatch>? matches = null;
        if (filter.Text is { } text)
        {
            var terms = SearchTerms.Parse(text);
            if (terms.Count > 0)
            {
                matches = TextMatches(terms);
            }
            else
            {
                var pattern = Pattern(text);
                sentences = sentences.Where(s => EF.Functions.Like(s.Text.ToLower(), pattern, LikeEscape));
            }
        }

        if (filter.Tag is { } tag)
        {
            sentences = TagReads.CarryingTag(db, sentences, tag);
        }

        // The one place that narrows which traces are searched (dataset, and any further visibility rule).
        var traces = db.Set<Trace>().AsNoTracking();
        if (filter.Dataset is { } dataset)
        {
            traces = int.TryParse(dataset, out var datasetId)
                ? traces.Where(t => t.DatasetId == datasetId)
                : traces.Where(t => t.Dataset!.Key == dataset);
        }

        int? outcomeId = filter.Outcome is { } key
            ? await db.Set<Outcome>().Where(o => o.Key == key).Select(o => (int?)o.Id).FirstOrDefaultAsync(ct) ?? -1
            : null;
        if (outcomeId is not { } id)
        {
            return (Unranked(sentences, traces, matches, ordered: true), Unranked(sentences, traces, matches, ordered: false), outcomeId);
        }

        // Rare words: their few sentences, read once, drive the ranked query; common words are checked per row.
        var rare = matches is null ? null : await RareMatchesAsync(matches, ct);
        return (Ranked(sentences, traces, matches, rare, id, filter, ordered: true), Ranked(sentences, traces, matches, rare, id, filter, ordered: false), outcomeId);
    }

    /// <summary>The ids of the sentences the words match, if there are at most <see cref="RareWordLimit"/> of them; null if more.</summary>
    private async Task<List<int>?> RareMatchesAsync(IQueryable<TextMatch> matches, CancellationToken ct)
    {
        var ids = await matches.Select(m => m.Id).Take(RareWordLimit + 1).ToListAsync(ct);
        return ids.Count <= RareWordLimit ? ids : null;
    }

    /// <summary>A LIKE pattern for a lower-cased substring, with the wildcards in the user's text escaped.</summary>
    internal static string Pattern(string text) =>
        "%" + text.Trim().ToLowerInvariant()
            .Replace(LikeEscape, LikeEscape + LikeEscape, StringComparison.Ordinal)
            .Replace("%", LikeEscape + "%", StringComparison.Ordinal)
            .Replace("_", LikeEscape + "_", StringComparison.Ordinal) + "%";

    /// <summary>
    /// The ids of the sentences whose text has every word (as a prefix), read from the full-text index: SQLite's FTS5
    /// table or, on PostgreSQL, the sentence's stored tsvector (<c>SearchVector</c>, a generated column) and its GIN
    /// index. The stored vector is what a plan checks a row against when it walks the sentences instead of the index
    /// (a common word, counted up to the limit), so no row's text is parsed again (docs/decisions/0058).
    /// </summary>
    internal IQueryable<TextMatch> TextMatches(IReadOnlyList<string> terms) =>
        db.Database.IsNpgsql()
            ? db.Database.SqlQuery<TextMatch>($"""
                SELECT s."Id" FROM "Sentence" AS s
                WHERE s."SearchVector" @@ to_tsquery('simple'::regconfig, {SearchTerms.TsQuery(terms)})
                """)
            : db.Database.SqlQuery<TextMatch>($"""
                SELECT rowid AS "Id" FROM "SentenceText" WHERE "SentenceText" MATCH {SearchTerms.Fts5(terms)}
                """);

    /// <summary>
    /// Hits without an outcome. Without words, in trace and sentence order. With words, in the order the full-text index
    /// returns them, by sentence id (sentences are written in trace and sentence order, so this is the same but for a trace
    /// whose sentences were written again later): the index hands them over in that order, so a page of a common word
    /// reads 50 matches instead of sorting all of them (docs/decisions/0045).
    /// </summary>
    private static IQueryable<HitRow> Unranked(IQueryable<Sentence> sentences, IQueryable<Trace> traces, IQueryable<TextMatch>? matches, bool ordered)
    {
        if (matches is null)
        {
            var all = from s in sentences
                      join t in traces on s.TraceId equals t.Id
                      select new { s, t };
            return (ordered ? all.OrderBy(x => x.t.Id).ThenBy(x => x.s.Index) : all)
                .Select(x => new HitRow { TraceId = x.t.Id, TraceTitle = x.t.Title, DatasetName = x.t.Dataset!.Name, Index = x.s.Index, Text = x.s.Text, SentenceId = x.s.Id });
        }

        var matched = from m in matches
                      join s in sentences on m.Id equals s.Id
                      join t in traces on s.TraceId equals t.Id
                      select new { m, s, t };
        return (ordered ? matched.OrderBy(x => x.m.Id) : matched)
            .Select(x => new HitRow { TraceId = x.t.Id, TraceTitle = x.t.Title, DatasetName = x.t.Dataset!.Name, Index = x.s.Index, Text = x.s.Text, SentenceId = x.s.Id });
    }

    /// <summary>
    /// Sentences of traces with metrics for the outcome, with their effect on it, filtered by direction and size, largest first. The numbers
    /// are the stored <see cref="SearchEffect"/> rows (the set <see cref="ShownMetricSets"/> picks and <see cref="ShownMetricSets.Influence"/>'s
    /// fallback), so the filter and the order are read from one index.
    /// </summary>
    private IQueryable<HitRow> Ranked(
        IQueryable<Sentence> sentences, IQueryable<Trace> traces, IQueryable<TextMatch>? matches, List<int>? rare, int outcomeId, SentenceSearchFilter filter, bool ordered)
    {
        var effects = db.Set<SearchEffect>().AsNoTracking().Where(e => e.OutcomeId == outcomeId);
        if (rare is not null)
        {
            // Each of the few sentences is looked up by the key (sentence, outcome); the rows are then sorted.
            effects = effects.Where(e => rare.Contains(e.SentenceId));
        }
        else if (matches is not null)
        {
            // The matches are read once into a list the rows are checked against (not the index probed per row).
            effects = effects.Where(e => matches.Select(m => m.Id).Contains(e.SentenceId));
        }

        var min = filter.MinImportance is { } m ? Math.Max(m, 0) : (double?)null;
        effects = (filter.Effect, filter.Direction) switch
        {
            (EffectKind.Resampling, Direction.Promotes) => effects.Where(e => e.Resampling > ShownMetricSets.NoEffectAtOrBelow),
            (EffectKind.Resampling, Direction.Suppresses) => effects.Where(e => e.Resampling < -ShownMetricSets.NoEffectAtOrBelow),
            (_, Direction.Promotes) => effects.Where(e => e.Directional > ShownMetricSets.NoEffectAtOrBelow),
            (_, Direction.Suppresses) => effects.Where(e => e.Directional < -ShownMetricSets.NoEffectAtOrBelow),
            _ => effects,
        };
        if (min is { } floor)
        {
            effects = filter.Effect switch
            {
                EffectKind.Resampling => effects.Where(e => e.ResamplingRank >= floor),
                EffectKind.Kl => effects.Where(e => e.KlRank >= floor),
                _ => effects.Where(e => e.DirectionalRank >= floor),
            };
        }

        var joined =
            from e in effects
            join s in sentences on e.SentenceId equals s.Id
            join t in traces on e.TraceId equals t.Id
            select new { e, s, t };
        if (!ordered)
        {
            return joined.Select(x => new HitRow
            {
                TraceId = x.t.Id, TraceTitle = x.t.Title, DatasetName = x.t.Dataset!.Name, Index = x.s.Index, Text = x.s.Text, SentenceId = x.s.Id,
                MetricSetId = x.e.MetricSetId,
            });
        }

        // For rare words the order is written as the negated rank (the same order: ranks are never null), which no index
        // serves, so the database looks up the few rows by key and sorts them instead of walking the rank index.
        var sorted = (filter.Effect, rare is null) switch
        {
            (EffectKind.Resampling, true) => joined.OrderByDescending(x => x.e.ResamplingRank),
            (EffectKind.Kl, true) => joined.OrderByDescending(x => x.e.KlRank),
            (_, true) => joined.OrderByDescending(x => x.e.DirectionalRank),
            (EffectKind.Resampling, false) => joined.OrderBy(x => -x.e.ResamplingRank),
            (EffectKind.Kl, false) => joined.OrderBy(x => -x.e.KlRank),
            (_, false) => joined.OrderBy(x => -x.e.DirectionalRank),
        };

        return sorted.ThenBy(x => x.e.TraceId).ThenBy(x => x.e.SentenceIndex).Select(x => new HitRow
        {
            TraceId = x.t.Id, TraceTitle = x.t.Title, DatasetName = x.t.Dataset!.Name, Index = x.s.Index, Text = x.s.Text, SentenceId = x.s.Id,
            MetricSetId = x.e.MetricSetId,
        });
    }

    /// <summary>The effects of one page of hits, from the metric set each trace shows, built as the trace page builds them.</summary>
    private async Task<Dictionary<(int TraceId, int Index), HitEffect>> LoadEffectsAsync(List<HitRow> rows, EffectKind kind, CancellationToken ct)
    {
        var indices = rows.Select(r => r.Index).Distinct().ToList();
        var setIds = rows.Select(r => r.MetricSetId).OfType<int>().Distinct().ToList();
        var shown = (await db.Set<MetricSet>().AsNoTracking().Where(m => setIds.Contains(m.Id)).Select(ShownMetricSets.Projection).ToListAsync(ct))
            .ToDictionary(s => s.TraceId);
        var values = await db.Set<SentenceMetric>().AsNoTracking()
            .Where(v => setIds.Contains(v.MetricSetId) && indices.Contains(v.SentenceIndex) && EffectNames.Contains(v.Name))
            .Select(v => new { v.MetricSetId, v.SentenceIndex, v.Name, v.Value, v.Low, v.High, v.Count, v.Successes })
            .ToListAsync(ct);
        var byKey = values.ToLookup(v => (v.MetricSetId, v.SentenceIndex));

        var effects = new Dictionary<(int, int), HitEffect>();
        foreach (var row in rows)
        {
            if (!shown.TryGetValue(row.TraceId, out var set))
            {
                continue;
            }

            var named = byKey[(set.Id, row.Index)].ToDictionary(v => v.Name, StringComparer.Ordinal);
            if (named.Count == 0)
            {
                continue;
            }

            Estimate? Read(string name) => named.TryGetValue(name, out var v) ? new Estimate(v.Value, v.Low, v.High, v.Count, v.Successes) : null;
            var resampling = Read(MetricNames.ResamplingEffect);
            var counterfactual = Read(MetricNames.CounterfactualEffect);
            var dissimilar = Read(MetricNames.DissimilarFraction)?.Value;
            var influence = ShownMetricSets.Influence(counterfactual?.Value, resampling?.Value, dissimilar);
            var sentence = new SentenceEffects(
                row.Index, resampling, counterfactual, Read(MetricNames.ResamplingKl)?.Value, Read(MetricNames.CounterfactualKl)?.Value,
                dissimilar, influence.Direction, influence.Importance, influence.Fallback);
            var shownEffect = sentence.Shown(kind);
            var value = kind == EffectKind.Kl ? (influence.Fallback ? sentence.ResamplingKl : sentence.CounterfactualKl) : shownEffect.Effect?.Value;
            effects[(row.TraceId, row.Index)] = new HitEffect(shownEffect, value, influence.Fallback, set.Threshold, set.Source.ToString().ToLowerInvariant());
        }

        return effects;
    }

    private sealed class HitRow
    {
        public int TraceId { get; init; }

        public required string TraceTitle { get; init; }

        public required string DatasetName { get; init; }

        public int Index { get; init; }

        public required string Text { get; init; }

        public int SentenceId { get; init; }

        public int? MetricSetId { get; init; }
    }
}

/// <summary>A sentence the full-text index matched.</summary>
internal sealed class TextMatch
{
    public int Id { get; set; }
}
