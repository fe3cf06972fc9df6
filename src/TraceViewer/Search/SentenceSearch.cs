using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Metrics;
using TraceViewer.Outcomes;
using TraceViewer.Traces;

namespace TraceViewer.Search;

/// <summary>What to look for: every filter is optional.</summary>
internal sealed record SentenceSearchFilter(
    int? Dataset = null,
    string? Text = null,
    string? Tag = null,
    string? Outcome = null,
    string? Direction = null,
    double? MinImportance = null,
    int Limit = 200);

/// <summary>A sentence that matched, with its effect for the chosen outcome (null when none is stored).</summary>
internal sealed record SentenceHit(int TraceId, string TraceTitle, string Dataset, int Index, string Text, string? Tags, double? Effect, bool Fallback)
{
    public string Direction => Effect switch
    {
        > 0 => "promotes",
        < 0 => "suppresses",
        _ => "none",
    };

    public string DeepLink => $"/traces/{TraceId}/sentences/{Index}";
}

/// <summary>Finds sentences across traces by text, imported function tag, direction and importance.</summary>
internal static class SentenceSearch
{
    /// <summary>Below this share of dissimilar resamples the counterfactual effect is not defined (method.md §5).</summary>
    private const double MinDissimilarFraction = 0.05;

    public static async Task<IReadOnlyList<SentenceHit>> FindAsync(TraceViewerDbContext db, SentenceSearchFilter filter, CancellationToken ct)
    {
        var sentences = db.Set<Sentence>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            sentences = sentences.Where(s => EF.Functions.Like(s.Text, Pattern(filter.Text), "\\"));
        }

        if (!string.IsNullOrWhiteSpace(filter.Tag))
        {
            sentences = sentences.Where(s => s.FunctionTags != null && EF.Functions.Like(s.FunctionTags, Pattern(filter.Tag), "\\"));
        }

        var outcomeId = filter.Outcome is { Length: > 0 } key
            ? await db.Set<Outcome>().Where(o => o.Key == key).Select(o => (int?)o.Id).FirstOrDefaultAsync(ct) ?? -1
            : (int?)null;
        var sets = db.Set<MetricSet>().Where(m => outcomeId == null || m.OutcomeId == outcomeId);
        var metrics = db.Set<SentenceMetric>();

        var rows = from s in sentences
                   join t in db.Set<Trace>() on s.TraceId equals t.Id
                   where filter.Dataset == null || t.DatasetId == filter.Dataset
                   // The newest metric set of the trace for the outcome: recomputed values supersede imported ones.
                   let set = sets.Where(m => m.TraceId == t.Id).OrderByDescending(m => m.Id).Select(m => (int?)m.Id).FirstOrDefault()
                   let counterfactual = metrics.Where(v => v.MetricSetId == set && v.SentenceIndex == s.Index && v.Name == MetricNames.CounterfactualEffect).Select(v => (double?)v.Value).FirstOrDefault()
                   let resampling = metrics.Where(v => v.MetricSetId == set && v.SentenceIndex == s.Index && v.Name == MetricNames.ResamplingEffect).Select(v => (double?)v.Value).FirstOrDefault()
                   let dissimilar = metrics.Where(v => v.MetricSetId == set && v.SentenceIndex == s.Index && v.Name == MetricNames.DissimilarFraction).Select(v => (double?)v.Value).FirstOrDefault()
                   let fallback = counterfactual == null || (dissimilar != null && dissimilar <= MinDissimilarFraction)
                   select new
                   {
                       t.Id,
                       t.Title,
                       Dataset = t.Dataset!.Name,
                       s.Index,
                       s.Text,
                       s.FunctionTags,
                       Effect = fallback ? resampling : counterfactual,
                       Fallback = fallback && resampling != null,
                   };

        if (outcomeId is not null)
        {
            rows = filter.Direction switch
            {
                "promotes" => rows.Where(r => r.Effect > 0),
                "suppresses" => rows.Where(r => r.Effect < 0),
                _ => rows,
            };
            if (filter.MinImportance is { } min)
            {
                rows = rows.Where(r => r.Effect >= min || r.Effect <= -min);
            }

            rows = rows.OrderByDescending(r => r.Effect > 0 ? r.Effect : -r.Effect);
        }
        else
        {
            rows = rows.OrderBy(r => r.Id).ThenBy(r => r.Index);
        }

        var found = await rows.Take(Math.Clamp(filter.Limit, 1, 1000)).ToListAsync(ct);
        return found.Select(r => new SentenceHit(r.Id, r.Title, r.Dataset, r.Index, r.Text, r.FunctionTags, outcomeId is null ? null : r.Effect, r.Fallback)).ToList();
    }

    /// <summary>A LIKE pattern for a substring, with the wildcards in the user's text escaped.</summary>
    internal static string Pattern(string text) =>
        "%" + text.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
