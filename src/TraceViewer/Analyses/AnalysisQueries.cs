using Microsoft.EntityFrameworkCore;
using TraceViewer.MetricSets;
using TraceViewer.Data;
using TraceViewer.Metrics;
using TraceViewer.Outcomes;
using TraceViewer.Statistics.Analyses;
using TraceViewer.Studies;
using TraceViewer.Traces;

namespace TraceViewer.Analyses;

/// <summary>
/// Reads the stored effects behind the post's analyses and hands them to the pure <see cref="TraceAnalysis"/> and
/// <see cref="StudyAnalysis"/>. Per trace and outcome the effects come from the metric set the pages show
/// (<see cref="ShownMetricSets"/>); a sentence's effect is its counterfactual effect or the fallback to its resampling
/// effect (<see cref="SentenceDirection.Of"/>), the number that gives it its direction.
/// </summary>
internal sealed class AnalysisQueries(TraceViewerDbContext db)
{
    public const int PairsPageSize = 20;
    public const int MaxPairsPageSize = 500;

    private static readonly string[] Names = [MetricNames.CounterfactualEffect, MetricNames.ResamplingEffect, MetricNames.DissimilarFraction];

    /// <summary>The analyses of one trace; null when the trace does not exist.</summary>
    public async Task<TraceAnalysisView?> TraceAsync(int traceId, CancellationToken ct)
    {
        if (!await db.Set<Trace>().AsNoTracking().AnyAsync(t => t.Id == traceId, ct))
        {
            return null;
        }

        var effects = await ReadAsync(db.Set<Trace>().Where(t => t.Id == traceId), ct);
        var mine = effects.GetValueOrDefault(traceId) ?? [];
        return new TraceAnalysisView(traceId, [.. mine.Select(e => e.Outcome)], Analyse(mine));
    }

    /// <summary>
    /// The analyses of a trace page's document: the same numbers as <see cref="TraceAsync"/> for the page's default view
    /// (the document holds the shown sets' effects), and those of the view the reader chose otherwise, with no read.
    /// </summary>
    public static TraceAnalysisView FromDocument(TraceDocument trace)
    {
        var outcomes = trace.Outcomes
            .Where(o => o.Provenance is not null)
            .OrderBy(o => Order(o.Key)).ThenBy(o => o.Name, StringComparer.Ordinal)
            .Select(o => new TraceOutcome(
                new AnalysisOutcome(o.Key, o.Name, o.Provenance!.Source.ToLowerInvariant(), o.Provenance.Threshold),
                [.. o.Effects.OrderBy(e => e.Index)
                    .Select(e => (e.Index, ShownMetricSets.Influence(e.CounterfactualEffect?.Value, e.ResamplingEffect?.Value, e.DissimilarFraction).Effect))
                    .Where(e => e.Effect is { } x && double.IsFinite(x))
                    .Select(e => new IndexedEffect(e.Index, e.Effect!.Value))]))
            .ToList();
        return new TraceAnalysisView(trace.Id, [.. outcomes.Select(o => o.Outcome)], Analyse(outcomes));
    }

    /// <summary>The analyses of every analysed trace of a study's dataset, per condition; null when the dataset does not exist.</summary>
    public async Task<StudyAnalysesView?> StudyAsync(int datasetId, CancellationToken ct)
    {
        if (!await db.Set<Datasets.Dataset>().AsNoTracking().AnyAsync(d => d.Id == datasetId, ct))
        {
            return null;
        }

        var tiered = Tiered(datasetId);
        var effects = await ReadAsync(tiered, ct);
        var ids = effects.Keys.ToList();
        var traces = await tiered.Where(t => ids.Contains(t.Id))
            .Select(t => new { t.Id, t.Title, Variant = t.PromptVariant ?? StudyStatistics.DefaultVariant, Tier = t.Tier! })
            .ToListAsync(ct);
        var outcomes = effects.Values.SelectMany(e => e.Select(o => o.Outcome))
            .GroupBy(o => o.Key).Select(g => new OutcomeRef(g.Key, g.First().Name))
            .OrderBy(o => Order(o.Key)).ThenBy(o => o.Name, StringComparer.Ordinal).ToList();
        var analysed = traces.OrderBy(t => t.Id).Select(t => new AnalysedTrace(t.Id, t.Title, t.Variant, t.Tier, Analyse(effects[t.Id])));
        var conditions = StudyAnalysis.Distribute(analysed, [.. outcomes.Select(o => o.Key)]);
        return new StudyAnalysesView(datasetId, outcomes, traces.Count, conditions);
    }

    /// <summary>One page of the study's queries paired across the free and paid tiers; null when the dataset does not exist.</summary>
    public async Task<StudyPairsView?> PairsAsync(int datasetId, int page, int pageSize, CancellationToken ct)
    {
        if (!await db.Set<Datasets.Dataset>().AsNoTracking().AnyAsync(d => d.Id == datasetId, ct))
        {
            return null;
        }

        pageSize = Math.Clamp(pageSize, 1, MaxPairsPageSize);
        var (compliance, faking) = await OutcomeIdsAsync(ct);
        var labels = db.Set<TraceLabel>();
        var rows = await Tiered(datasetId)
            .Where(t => t.Tier == StudyAnalysis.Free || t.Tier == StudyAnalysis.Paid)
            .Select(t => new
            {
                t.Id,
                Variant = t.PromptVariant ?? StudyStatistics.DefaultVariant,
                Tier = t.Tier!,
                t.UserPrompt,
                t.Title,
                Compliant = labels.Where(l => l.TraceId == t.Id && l.OutcomeId == compliance).Select(l => l.IsPositive).FirstOrDefault(),
                Faking = labels.Where(l => l.TraceId == t.Id && l.OutcomeId == faking).Select(l => l.IsPositive).FirstOrDefault(),
            })
            .ToListAsync(ct);
        // A trace without a user turn is paired by its title, which names the query and the tier.
        var pairs = StudyAnalysis.Pair(rows.Select(r => new QueryObservation(
            r.Id, r.Variant, r.Tier, r.UserPrompt is null ? TitleQuery(r.Title, r.Tier) : StudyAnalysis.QueryOf(r.UserPrompt), r.Compliant, r.Faking)));
        var pageCount = pairs.Count == 0 ? 1 : (pairs.Count + pageSize - 1) / pageSize;
        page = Math.Clamp(page, 1, pageCount);
        return new StudyPairsView(
            datasetId, [.. pairs.Skip((page - 1) * pageSize).Take(pageSize)], page, pageSize, pairs.Count, pairs.Count(p => p.Free is not null && p.Paid is not null));
    }

    /// <summary>The title without a trailing "(tier)", as imports name traces.</summary>
    internal static string TitleQuery(string title, string tier)
    {
        var suffix = $"({tier})";
        return (title.EndsWith(suffix, StringComparison.Ordinal) ? title[..^suffix.Length] : title).Trim();
    }

    private static TraceAnalysis Analyse(IReadOnlyList<TraceOutcome> outcomes) =>
        TraceAnalysis.Of(outcomes.Select(o => new OutcomeEffects(o.Outcome.Key, o.Effects)), OutcomeRegistry.AlignmentFaking, OutcomeRegistry.Compliance);

    private static int Order(string key) => key switch
    {
        OutcomeRegistry.AlignmentFaking => 0,
        OutcomeRegistry.Compliance => 1,
        _ => 2,
    };

    private sealed record TraceOutcome(AnalysisOutcome Outcome, List<IndexedEffect> Effects);

    /// <summary>Per trace among <paramref name="traces"/>, per outcome with a shown metric set, its sentences' effects.</summary>
    private async Task<Dictionary<int, List<TraceOutcome>>> ReadAsync(IQueryable<Trace> traces, CancellationToken ct)
    {
        var sets = await (
            from m in db.Set<MetricSet>().AsNoTracking()
            join t in traces on m.TraceId equals t.Id
            join o in db.Set<Outcome>() on m.OutcomeId equals o.Id
            select new { m.Id, m.TraceId, m.Source, m.Threshold, m.EmbeddingModel, m.ComputedAt, m.OutcomeId, o.Key, o.Name, m.ResampleCount, Positions = m.Values.Count(v => v.Name == MetricNames.PrefixRate) })
            .ToListAsync(ct);
        var shown = sets.GroupBy(s => s.OutcomeId)
            .SelectMany(g => ShownMetricSets.PerTrace(g.Select(s => new MetricSetChoice(s.Id, s.TraceId, s.OutcomeId, s.Source, s.Threshold, s.EmbeddingModel, s.ComputedAt, s.ResampleCount, s.Positions))).Values)
            .Select(c => c.Id)
            .ToHashSet();
        var setIds = shown.ToList();
        var values = await db.Set<SentenceMetric>().AsNoTracking()
            .Where(v => setIds.Contains(v.MetricSetId) && Names.Contains(v.Name))
            .Select(v => new { v.MetricSetId, v.SentenceIndex, v.Name, v.Value })
            .ToListAsync(ct);
        var bySet = values.ToLookup(v => v.MetricSetId);

        var result = new Dictionary<int, List<TraceOutcome>>();
        foreach (var set in sets.Where(s => shown.Contains(s.Id)).OrderBy(s => Order(s.Key)).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            var effects = new List<IndexedEffect>();
            foreach (var sentence in bySet[set.Id].GroupBy(v => v.SentenceIndex).OrderBy(g => g.Key))
            {
                double? Read(string name) => sentence.FirstOrDefault(v => v.Name == name)?.Value is { } x && double.IsFinite(x) ? x : null;
                if (ShownMetricSets.Influence(Read(MetricNames.CounterfactualEffect), Read(MetricNames.ResamplingEffect), Read(MetricNames.DissimilarFraction)).Effect is { } effect)
                {
                    effects.Add(new IndexedEffect(sentence.Key, effect));
                }
            }

            if (!result.TryGetValue(set.TraceId, out var list))
            {
                result[set.TraceId] = list = [];
            }

            list.Add(new TraceOutcome(new AnalysisOutcome(set.Key, set.Name, set.Source.ToString().ToLowerInvariant(), set.Threshold), effects));
        }

        return result;
    }

    private IQueryable<Trace> Tiered(int datasetId) =>
        db.Set<Trace>().AsNoTracking().Where(t => t.DatasetId == datasetId && t.Tier != null);

    private async Task<(int Compliance, int AlignmentFaking)> OutcomeIdsAsync(CancellationToken ct)
    {
        var ids = await db.Set<Outcome>().AsNoTracking()
            .Where(o => o.Key == OutcomeRegistry.Compliance || o.Key == OutcomeRegistry.AlignmentFaking)
            .Select(o => new { o.Key, o.Id })
            .ToListAsync(ct);
        int Id(string key) => ids.FirstOrDefault(o => o.Key == key)?.Id ?? -1;
        return (Id(OutcomeRegistry.Compliance), Id(OutcomeRegistry.AlignmentFaking));
    }
}
