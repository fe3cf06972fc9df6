using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Search;
using TraceViewer.Text;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Search;

/// <summary>
/// The search as it was before the stored shown effects and the full-text index: the shown set chosen per trace at
/// query time, each sentence's numbers looked up in it, the text matched with LIKE. Kept as the reference the new
/// search must equal. Text: the LIKE substring hits, narrowed to those with the searched word as a whole word (or, for
/// a word typed with a trailing star, as the start of a word), which is what a word search means now (docs/decisions/0036,
/// 0052).
/// </summary>
internal static class PreviousQuery
{
    public static async Task<List<(int TraceId, int Index)>> FindAsync(TraceViewerDbContext db, SentenceSearchFilter filter)
    {
        var sentences = db.Set<Sentence>().AsNoTracking();
        if (filter.Text is { } text)
        {
            // A star only marks a prefix; the substring is the text without it.
            var pattern = SearchQueries.Pattern(text.Replace("*", "", StringComparison.Ordinal));
            sentences = sentences.Where(s => EF.Functions.Like(s.Text.ToLower(), pattern, "\\"));
        }

        var traces = db.Set<Trace>().AsNoTracking();
        int? outcomeId = filter.Outcome is { } key
            ? await db.Set<Outcome>().Where(o => o.Key == key).Select(o => (int?)o.Id).FirstOrDefaultAsync() ?? -1
            : null;
        var shown = outcomeId is { } id
            ? (await ShownMetricSets.LoadAsync(db.Set<MetricSet>().Where(m => m.OutcomeId == id), MetricSetPolicy.Default, CancellationToken.None))
                .Values.ToDictionary(s => s.TraceId)
            : null;

        List<(int TraceId, int Index, string Text)> rows;
        if (shown is null)
        {
            rows = (await (from s in sentences
                           join t in traces on s.TraceId equals t.Id
                           orderby t.Id, s.Index
                           select new { TraceId = t.Id, s.Index, s.Text }).ToListAsync())
                .ConvertAll(r => (r.TraceId, r.Index, r.Text));
        }
        else
        {
            rows = await RankedAsync(db, sentences, traces, [.. shown.Values.Select(s => s.Id)], filter);
        }

        if (filter.Text is { } words)
        {
            var starts = SearchTerms.Parse(words)
                .Select(w => new Regex(@"(?<![\p{L}\p{N}])" + Regex.Escape(SearchTerms.Word(w)) + (SearchTerms.IsPrefix(w) ? "" : @"(?![\p{L}\p{N}])"), RegexOptions.IgnoreCase))
                .ToList();
            rows = rows.FindAll(r => starts.All(w => w.IsMatch(r.Text)));
        }

        return rows.ConvertAll(r => (r.TraceId, r.Index));
    }

    private sealed class Row
    {
        public int TraceId { get; init; }

        public int Index { get; init; }

        public required string Text { get; init; }

        public double? Signed { get; init; }

        public double? Strength { get; init; }
    }

    private static async Task<List<(int, int, string)>> RankedAsync(
        TraceViewerDbContext db, IQueryable<Sentence> sentences, IQueryable<Trace> traces, List<int> shownSetIds, SentenceSearchFilter filter)
    {
        var sets = db.Set<MetricSet>().Where(m => shownSetIds.Contains(m.Id));
        var metrics = db.Set<SentenceMetric>();
        var values =
            from s in sentences
            join t in traces on s.TraceId equals t.Id
            let set = sets.Where(m => m.TraceId == t.Id).Select(m => (int?)m.Id).FirstOrDefault()
            where set != null
            let cf = metrics.Where(v => v.MetricSetId == set && v.SentenceIndex == s.Index && v.Name == MetricNames.CounterfactualEffect).Select(v => (double?)v.Value).FirstOrDefault()
            let rs = metrics.Where(v => v.MetricSetId == set && v.SentenceIndex == s.Index && v.Name == MetricNames.ResamplingEffect).Select(v => (double?)v.Value).FirstOrDefault()
            let df = metrics.Where(v => v.MetricSetId == set && v.SentenceIndex == s.Index && v.Name == MetricNames.DissimilarFraction).Select(v => (double?)v.Value).FirstOrDefault()
            let fallback = cf == null || df <= ShownMetricSets.MinimumDissimilarFraction
            select new { t, s, set, rs, Directional = fallback ? rs : cf, fallback };

        var rows = filter.Effect switch
        {
            EffectKind.Resampling => values.Select(x => new Row
            {
                TraceId = x.t.Id, Index = x.s.Index, Text = x.s.Text, Signed = x.rs, Strength = x.rs < 0 ? -x.rs : x.rs,
            }),
            EffectKind.Kl => values.Select(x => new Row
            {
                TraceId = x.t.Id, Index = x.s.Index, Text = x.s.Text, Signed = x.Directional,
                Strength = metrics.Where(v => v.MetricSetId == x.set && v.SentenceIndex == x.s.Index
                        && v.Name == (x.fallback ? MetricNames.ResamplingKl : MetricNames.CounterfactualKl))
                    .Select(v => (double?)v.Value).FirstOrDefault(),
            }),
            _ => values.Select(x => new Row
            {
                TraceId = x.t.Id, Index = x.s.Index, Text = x.s.Text, Signed = x.Directional, Strength = x.Directional < 0 ? -x.Directional : x.Directional,
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

        return (await rows.OrderBy(r => r.Strength == null).ThenByDescending(r => r.Strength).ThenBy(r => r.TraceId).ThenBy(r => r.Index)
                .Select(r => new { r.TraceId, r.Index, r.Text }).ToListAsync())
            .ConvertAll(r => (r.TraceId, r.Index, r.Text));
    }
}
