using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Search;

/// <summary>Finds sentences across traces by text, tag (imported or given), dataset, and direction and size of effect.</summary>
internal sealed class SearchQueries(TraceViewerDbContext db)
{
    private const string LikeEscape = "\\";

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
        var sentences = db.Set<Sentence>().AsNoTracking();
        // Lower both sides so the match ignores case on every provider, not only in SQLite's ASCII LIKE.
        if (filter.Text is { } text)
        {
            var pattern = Pattern(text);
            sentences = sentences.Where(s => EF.Functions.Like(s.Text.ToLower(), pattern, LikeEscape));
        }

        if (filter.Tag is { } tag)
        {
            sentences = TagReads.CarryingTag(db, sentences, tag);
        }

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
        // The set each trace shows for the outcome, chosen once for the ranking and the numbers of the page.
        var shown = outcomeId is { } id
            ? (await ShownMetricSets.LoadAsync(
                db.Set<MetricSet>().Where(m => m.OutcomeId == id && traces.Any(t => t.Id == m.TraceId)), MetricSetPolicy.Default, ct))
                .Values.ToDictionary(s => s.TraceId)
            : null;
        var rows = shown is not null ? Ranked(sentences, traces, [.. shown.Values.Select(s => s.Id)], filter) : Unranked(sentences, traces);

        var total = await rows.CountAsync(ct);
        var pageRows = await rows.Skip((page - 1) * SentenceSearchFilter.PageSize).Take(SentenceSearchFilter.PageSize).ToListAsync(ct);
        var effects = shown is not null ? await LoadEffectsAsync(pageRows, shown, filter.Effect, ct) : null;
        var tags = await TagReads.ForSentencesAsync(db, pageRows.ConvertAll(r => r.SentenceId), ct);

        return new PagedResult<SentenceHit>(
            pageRows.ConvertAll(r => new SentenceHit(
                r.TraceId, r.TraceTitle, r.DatasetName, r.Index, r.Text,
                tags.TryGetValue(r.SentenceId, out var own) ? [.. own.Select(t => t.Tag).Distinct(StringComparer.Ordinal)] : [],
                effects?.GetValueOrDefault((r.TraceId, r.Index)))),
            page, SentenceSearchFilter.PageSize, total);
    }

    /// <summary>A LIKE pattern for a lower-cased substring, with the wildcards in the user's text escaped.</summary>
    internal static string Pattern(string text) =>
        "%" + text.Trim().ToLowerInvariant()
            .Replace(LikeEscape, LikeEscape + LikeEscape, StringComparison.Ordinal)
            .Replace("%", LikeEscape + "%", StringComparison.Ordinal)
            .Replace("_", LikeEscape + "_", StringComparison.Ordinal) + "%";

    private static IQueryable<HitRow> Unranked(IQueryable<Sentence> sentences, IQueryable<Trace> traces) =>
        from s in sentences
        join t in traces on s.TraceId equals t.Id
        orderby t.Id, s.Index
        select new HitRow { TraceId = t.Id, TraceTitle = t.Title, DatasetName = t.Dataset!.Name, Index = s.Index, Text = s.Text, SentenceId = s.Id };

    /// <summary>
    /// Sentences of traces with metrics for the outcome, with their effect on it, filtered by direction and size, largest first. The numbers come
    /// from the metric set each trace shows (<paramref name="shownSetIds"/>, chosen by <see cref="ShownMetricSets"/>); the fallback and
    /// direction rules are <see cref="ShownMetricSets.Influence"/>'s, written out so the database applies them.
    /// </summary>
    private IQueryable<HitRow> Ranked(IQueryable<Sentence> sentences, IQueryable<Trace> traces, List<int> shownSetIds, SentenceSearchFilter filter)
    {
        var sets = db.Set<MetricSet>().Where(m => shownSetIds.Contains(m.Id));
        var metrics = db.Set<SentenceMetric>();
        var values =
            from s in sentences
            join t in traces on s.TraceId equals t.Id
            let set = sets.Where(m => m.TraceId == t.Id).Select(m => (int?)m.Id).FirstOrDefault()
            // Ranked by the effect on an outcome, the hits are the sentences of traces that have it.
            where set != null
            let cf = metrics.Where(v => v.MetricSetId == set && v.SentenceIndex == s.Index && v.Name == MetricNames.CounterfactualEffect).Select(v => (double?)v.Value).FirstOrDefault()
            let rs = metrics.Where(v => v.MetricSetId == set && v.SentenceIndex == s.Index && v.Name == MetricNames.ResamplingEffect).Select(v => (double?)v.Value).FirstOrDefault()
            let df = metrics.Where(v => v.MetricSetId == set && v.SentenceIndex == s.Index && v.Name == MetricNames.DissimilarFraction).Select(v => (double?)v.Value).FirstOrDefault()
            let fallback = cf == null || df <= ShownMetricSets.MinimumDissimilarFraction
            select new { t, s, set, rs, Directional = fallback ? rs : cf, fallback };

        // Signed: the number whose sign is the direction. Strength: the size the page ranks and filters by.
        var rows = filter.Effect switch
        {
            EffectKind.Resampling => values.Select(x => new HitRow
            {
                TraceId = x.t.Id, TraceTitle = x.t.Title, DatasetName = x.t.Dataset!.Name, Index = x.s.Index, Text = x.s.Text, SentenceId = x.s.Id,
                Signed = x.rs, Strength = x.rs < 0 ? -x.rs : x.rs,
            }),
            EffectKind.Kl => values.Select(x => new HitRow
            {
                TraceId = x.t.Id, TraceTitle = x.t.Title, DatasetName = x.t.Dataset!.Name, Index = x.s.Index, Text = x.s.Text, SentenceId = x.s.Id,
                Signed = x.Directional,
                Strength = metrics.Where(v => v.MetricSetId == x.set && v.SentenceIndex == x.s.Index
                        && v.Name == (x.fallback ? MetricNames.ResamplingKl : MetricNames.CounterfactualKl))
                    .Select(v => (double?)v.Value).FirstOrDefault(),
            }),
            _ => values.Select(x => new HitRow
            {
                TraceId = x.t.Id, TraceTitle = x.t.Title, DatasetName = x.t.Dataset!.Name, Index = x.s.Index, Text = x.s.Text, SentenceId = x.s.Id,
                Signed = x.Directional, Strength = x.Directional < 0 ? -x.Directional : x.Directional,
            }),
        };

        rows = filter.Direction switch
        {
            Direction.Promotes => rows.Where(r => r.Signed > ShownMetricSets.NoEffectAtOrBelow),
            Direction.Suppresses => rows.Where(r => r.Signed < -ShownMetricSets.NoEffectAtOrBelow),
            _ => rows,
        };
        if (filter.MinImportance is { } min)
        {
            rows = rows.Where(r => r.Strength >= min);
        }

        return rows.OrderBy(r => r.Strength == null).ThenByDescending(r => r.Strength).ThenBy(r => r.TraceId).ThenBy(r => r.Index);
    }

    /// <summary>The effects of one page of hits, from the metric set each trace shows, built as the trace page builds them.</summary>
    private async Task<Dictionary<(int TraceId, int Index), HitEffect>> LoadEffectsAsync(
        List<HitRow> rows, Dictionary<int, MetricSetChoice> shown, EffectKind kind, CancellationToken ct)
    {
        var indices = rows.Select(r => r.Index).Distinct().ToList();
        var setIds = rows.Select(r => r.TraceId).Distinct().Where(shown.ContainsKey).Select(t => shown[t].Id).ToList();
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

        public double? Signed { get; init; }

        public double? Strength { get; init; }
    }
}
