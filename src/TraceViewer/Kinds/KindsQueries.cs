using System.Globalization;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Components;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Statistics;
using TraceViewer.Statistics.Agreement;
using TraceViewer.Statistics.TagEffects;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Kinds;

/// <summary>The page's numbers and, when a tag is opened, its sentences.</summary>
public sealed record KindsPageData(KindsView View, KindsSentences? Sentences);

/// <summary>
/// Which kinds of sentences matter (method.md §9): reads the selected traces' sentences, their effect on an outcome
/// from the metric set each trace shows (<see cref="ShownMetricSets"/>), and their tags of one taxonomy, then hands
/// them to the pure statistics (<see cref="TagEffectAnalysis"/>). Five set-based reads, whatever the number of traces.
/// </summary>
internal sealed class KindsQueries(TraceViewerDbContext db, KindsCache cache)
{
    public const string Everyone = "everyone";

    public const string Consensus = "consensus";

    public const int DefaultTopK = 3;

    public const int MaxTopK = 50;

    /// <summary>How many of an opened tag's sentences are listed.</summary>
    public const int SentenceLimit = 100;

    /// <summary>Fixed, so the same selection always gives the same intervals.</summary>
    public static readonly BootstrapOptions Bootstrap = new();

    public async Task<KindsView> LoadAsync(KindsRequest request, CancellationToken ct) =>
        (await ReadAsync(request, ct)).View;

    public async Task<KindsPageData> LoadPageAsync(KindsRequest request, string? tag, CancellationToken ct)
    {
        var read = await ReadAsync(request, ct);
        KindsSentences? sentences = null;
        if (!string.IsNullOrEmpty(tag) && read.Table is { } table && read.View.Find(tag) is not null)
        {
            sentences = await ListSentencesAsync(read, table, tag, ct);
        }

        return new KindsPageData(read.View, sentences);
    }

    /// <summary>"everyone", "consensus", or an annotator's key, "Kind:id".</summary>
    public static TagRule RuleOf(string layer) => layer switch
    {
        Everyone => TagRule.Any,
        Consensus => TagRule.Majority,
        _ => TagRule.Of(layer),
    };

    public static string AnnotatorKey(AnnotatorKind kind, string annotator) => $"{kind}:{annotator}";

    internal sealed record SentenceRow(int SentenceId, int TraceId, int Index, double Effect);

    internal sealed record Read(KindsView View, TagEffectTable? Table, List<SentenceRow> Rows, int TopK);

    /// <summary>
    /// The numbers of a request, from the cache while the data they rest on is unchanged: opening a tag, Back and
    /// Forward, or the CSV after the page then cost one look at the data's stamp.
    /// </summary>
    private async Task<Read> ReadAsync(KindsRequest request, CancellationToken ct)
    {
        using var phases = new KindsPhases();
        phases.Next("stamp");
        var key = string.Join('\u001f', [.. request.Datasets, "|", request.Outcome ?? "", request.Effect ?? "", request.Taxonomy ?? "", request.Layer ?? "",
            request.TopK?.ToString(CultureInfo.InvariantCulture) ?? "", await StampAsync(ct),
            // Callers who read different datasets never share an entry (their stamps can agree by chance).
            DatasetScope.Current is { } visible ? string.Join(',', visible) : "*"]);
        if (cache.TryGet(key, out var cached))
        {
            return cached;
        }

        var read = await ComputeAsync(request, phases, ct);
        cache.Add(key, read);
        return read;
    }

    /// <summary>
    /// Changes whenever a trace, metric set, tag, taxonomy or dataset is added, replaced or removed (ids only grow, so
    /// the largest id and the count together notice both). Metric values and tag rows are never edited in place.
    /// </summary>
    private async Task<string> StampAsync(CancellationToken ct)
    {
        var stamp = await db.Set<Dataset>().AsNoTracking().GroupBy(_ => 1).Select(_ => new
        {
            Datasets = db.Set<Dataset>().Count(),
            DatasetMax = db.Set<Dataset>().Max(d => (int?)d.Id),
            Traces = db.Set<Trace>().Count(),
            TraceMax = db.Set<Trace>().Max(t => (int?)t.Id),
            Sets = db.Set<MetricSet>().Count(),
            SetMax = db.Set<MetricSet>().Max(m => (int?)m.Id),
            Tags = db.Set<SentenceTag>().Count(),
            TagMax = db.Set<SentenceTag>().Max(t => (long?)t.Id),
            TagDefinitions = db.Set<Tag>().Count(),
            TagDefinitionMax = db.Set<Tag>().Max(t => (int?)t.Id),
            Retired = db.Set<Tag>().Count(t => t.Retired),
        }).ToListAsync(ct);
        return stamp.Count == 0 ? "empty" : stamp[0].ToString() ?? "";
    }

    private async Task<Read> ComputeAsync(KindsRequest request, KindsPhases phases, CancellationToken ct)
    {
        phases.Next("options");
        var datasets = await db.Set<Dataset>().AsNoTracking()
            .OrderBy(d => d.Name).ThenBy(d => d.Id)
            .Select(d => new { d.Id, d.Key, d.Name, d.PrimaryOutcomeId })
            .ToListAsync(ct);
        var chosen = datasets.Where(d => request.Datasets.Any(v => v == d.Key || v == d.Id.ToString(CultureInfo.InvariantCulture))).ToList();
        var defaultDataset = chosen.Count == 0;
        if (defaultDataset && datasets.Count > 0)
        {
            // Without a (known) dataset: the readable one with the most traces (its stored summary, 0051), ties by name.
            var traceCounts = await db.Set<DatasetSummary>().AsNoTracking()
                .ToDictionaryAsync(d => d.DatasetId, d => d.Traces, ct);
            chosen = [datasets
                .OrderByDescending(d => traceCounts.GetValueOrDefault(d.Id))
                .ThenBy(d => d.Name, StringComparer.Ordinal).ThenBy(d => d.Id)
                .First()];
        }

        var datasetIds = chosen.Select(d => d.Id).ToList();
        // Only outcomes some trace has per-sentence metrics for can be measured.
        var outcomes = await db.Set<Outcome>().AsNoTracking()
            .Where(o => db.Set<MetricSet>().Any(m => m.OutcomeId == o.Id))
            .OrderBy(o => o.Name)
            .Select(o => new { o.Id, o.Key, o.Name })
            .ToListAsync(ct);
        var outcome = outcomes.FirstOrDefault(o => o.Key == request.Outcome)
            ?? outcomes.FirstOrDefault(o => chosen.Any(d => d.PrimaryOutcomeId == o.Id))
            ?? outcomes.FirstOrDefault();

        var taxonomies = await db.Set<Taxonomy>().AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        var taxonomy = taxonomies.FirstOrDefault(t => t.Name == request.Taxonomy)
            ?? taxonomies.FirstOrDefault(t => t.Name == BuiltInTaxonomies.Functions)
            ?? taxonomies.FirstOrDefault();
        var annotators = taxonomy is null ? [] : await KindsReads.AnnotatorsAsync(db, taxonomy.Id, ct);
        var layers = new List<KindsLayer> { new(Everyone, "Everyone's tags (any annotator)"), new(Consensus, "Consensus (a majority of annotators)") };
        layers.AddRange(annotators
            .OrderBy(a => a.AnnotatorKind).ThenBy(a => a.Annotator, StringComparer.Ordinal)
            .Select(a => new KindsLayer(AnnotatorKey(a.AnnotatorKind, a.Annotator), $"{a.Annotator} ({a.AnnotatorKind.ToString().ToLowerInvariant()})")));
        var layer = layers.FirstOrDefault(l => l.Value == request.Layer)?.Value ?? Everyone;

        var effect = EffectKinds.Parse(request.Effect);
        var topK = Math.Clamp(request.TopK ?? DefaultTopK, 1, MaxTopK);
        var selection = new KindsSelection(datasetIds, defaultDataset, outcome?.Key, effect.QueryValue(), taxonomy?.Name, layer, topK);
        var options = new KindsOptions(
            [.. datasets.Select(d => new KindsDataset(d.Id, d.Key, d.Name))],
            [.. outcomes.Select(o => new KindsOutcome(o.Key, o.Name))],
            [.. taxonomies.Select(t => t.Name)],
            layers);
        Read Empty(string why) => new(new KindsView(selection, options, null, [], why), null, [], topK);

        if (datasets.Count == 0)
        {
            return Empty("There are no datasets yet. Import traces with their metrics and tags first.");
        }

        if (outcome is null)
        {
            return Empty("No trace has per-sentence metrics for any outcome yet, so no sentence has an effect to compare. Import metrics or compute them from resamples.");
        }

        if (taxonomy is null)
        {
            return Empty("There is no taxonomy of tags yet.");
        }

        // The metric set each trace shows for the outcome, and the effect numbers of those sets.
        phases.Next("sets");
        var sets = await (
            from m in db.Set<MetricSet>().AsNoTracking()
            join t in db.Set<Trace>() on m.TraceId equals t.Id
            where m.OutcomeId == outcome.Id && datasetIds.Contains(t.DatasetId)
            select m)
            .Select(ShownMetricSets.Projection)
            .ToListAsync(ct);
        var shown = ShownMetricSets.PerTrace(sets);
        if (shown.Count == 0)
        {
            return Empty($"No trace of the chosen datasets has per-sentence metrics for {outcome.Name}, so no sentence has an effect to compare.");
        }

        // The shown effects stored per sentence (SearchEffect, kept in step with the metric sets in the same transaction
        // as every write of them): one narrow row per sentence of a trace that shows a set for the outcome, read by the
        // shown sets' ids. A row only counts when it comes from the set chosen above for its own trace.
        phases.Next("effects");
        var stored = await KindsReads.StoredEffectsAsync(db, outcome.Id, [.. shown.Values.Select(s => s.Id)], ct);
        var rows = new List<SentenceRow>(stored.Count);
        var withoutEffect = new List<(int SentenceId, int TraceId, int Index, int SetId)>();
        foreach (var e in stored)
        {
            if (!shown.TryGetValue(e.TraceId, out var set) || set.Id != e.MetricSetId)
            {
                continue;
            }

            if (effect == EffectKind.Kl && e.Directional is null)
            {
                // Neither effect is defined: the page reads the counterfactual KL here (the stored size is the resampling one).
                withoutEffect.Add((e.SentenceId, e.TraceId, e.SentenceIndex, e.MetricSetId));
            }
            else if (StoredEffectOf(effect, e.Directional, e.Resampling, e.KlRank) is { } value)
            {
                rows.Add(new SentenceRow(e.SentenceId, e.TraceId, e.SentenceIndex, value));
            }
        }

        if (withoutEffect.Count > 0)
        {
            var bySet = withoutEffect.Select(w => w.SetId).Distinct().ToList();
            var kls = (await db.Set<SentenceMetric>().AsNoTracking()
                    .Where(v => bySet.Contains(v.MetricSetId) && v.Name == MetricNames.CounterfactualKl)
                    .Select(v => new { v.MetricSetId, v.SentenceIndex, Value = (double?)v.Value })
                    .ToListAsync(ct))
                .ToDictionary(v => (v.MetricSetId, v.SentenceIndex), v => v.Value);
            foreach (var w in withoutEffect)
            {
                var slots = new double?[Names.Length];
                slots[3] = kls.TryGetValue((w.SetId, w.Index), out var kl) ? Finite(kl) : null;
                if (EffectOf(effect, slots) is { } value)
                {
                    rows.Add(new SentenceRow(w.SentenceId, w.TraceId, w.Index, value));
                }
            }
        }

        rows.Sort((a, b) => a.TraceId != b.TraceId ? a.TraceId.CompareTo(b.TraceId) : a.Index.CompareTo(b.Index));
        var traceIds = shown.Keys.ToList();
        if (rows.Count == 0)
        {
            return Empty($"The sentences of the chosen traces have no {effect.Label().ToLowerInvariant()} for {outcome.Name}.");
        }

        phases.Next("tags");
        // One annotator's layer reads that annotator's rows only. Annotators come back as their index in the list read
        // above, worked out by the database, so no row carries names (an annotator added since that read is -1 and left out).
        var only = annotators.FirstOrDefault(a => AnnotatorKey(a.AnnotatorKind, a.Annotator) == layer);
        var tagRows = await KindsReads.TagRowsAsync(
            db, taxonomy.Id, traceIds, [.. annotators.Select(a => (a.AnnotatorKind, a.Annotator))],
            only is null ? null : (only.AnnotatorKind, only.Annotator), ct);
        var tags = await db.Set<Tag>().AsNoTracking()
            .Where(t => t.TaxonomyId == taxonomy.Id)
            .OrderBy(t => t.Hotkey == null).ThenBy(t => t.Hotkey).ThenBy(t => t.Name)
            .Select(t => new { t.Id, t.Name, t.Colour, t.Retired })
            .ToListAsync(ct);
        var used = tagRows.Select(r => r.TagId).ToHashSet();
        if (only is not null && tags.Where(t => t.Retired && !used.Contains(t.Id)).Select(t => t.Id).ToList() is { Count: > 0 } retired)
        {
            // A retired tag is listed while any annotator's tag on these traces still uses it, as in the other layers.
            used.UnionWith(await (
                from st in db.Set<SentenceTag>().AsNoTracking()
                join s in db.Set<Sentence>() on st.SentenceId equals s.Id
                where retired.Contains(st.TagId) && traceIds.Contains(s.TraceId)
                select st.TagId).Distinct().ToListAsync(ct));
        }

        tags = [.. tags.Where(t => !t.Retired || used.Contains(t.Id))];

        var basis = (int traces, int sentences) => new KindsBasis(
            traces, sentences, shown.Count, rows.Count,
            shown.Values.GroupBy(s => s.Source.ToString().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count()),
            Bootstrap.Replicates, Bootstrap.Seed, Bootstrap.Confidence, $"percentile bootstrap over {TagEffectAnalysis.BootstrapUnits}");
        if (tagRows.Count == 0)
        {
            return new Read(
                new KindsView(selection, options, basis(0, 0), [], $"No sentence of the chosen traces carries a tag of \"{taxonomy.Name}\"."),
                null, [], topK);
        }

        phases.Next("table");
        // An annotator who tagged a sentence of a trace has been through the trace: its other sentences are
        // "looked at, not tagged". The store keeps tags, not visits, so this is the closest reading of "finished".
        // Everything is numbered once: traces and sentences by their place in rows (sorted by trace), tags by their
        // place in the list, annotators by theirs.
        var traceKeys = new List<string>();
        var traceOf = new int[rows.Count];
        var rowOf = new Dictionary<int, int>(rows.Count);
        var traceIndex = new Dictionary<int, int>();
        for (var j = 0; j < rows.Count; j++)
        {
            if (j == 0 || rows[j].TraceId != rows[j - 1].TraceId)
            {
                traceIndex.Add(rows[j].TraceId, traceKeys.Count);
                traceKeys.Add(TraceKey(rows[j].TraceId));
            }

            traceOf[j] = traceKeys.Count - 1;
            rowOf[rows[j].SentenceId] = j;
        }

        var tagIndex = new Dictionary<int, int>(tags.Count);
        for (var g = 0; g < tags.Count; g++)
        {
            tagIndex.Add(tags[g].Id, g);
        }

        var finished = new bool[annotators.Count][];
        var tagSets = new List<TagSet>[annotators.Count];
        for (var a = 0; a < annotators.Count; a++)
        {
            finished[a] = new bool[traceKeys.Count];
            tagSets[a] = [];
        }

        foreach (var r in tagRows)
        {
            if (r.Who < 0 || !traceIndex.TryGetValue(r.TraceId, out var trace))
            {
                continue;
            }

            finished[r.Who][trace] = true;
            if (rowOf.TryGetValue(r.SentenceId, out var row) && tagIndex.TryGetValue(r.TagId, out var g))
            {
                tagSets[r.Who].Add(new TagSet(row, g));
            }
        }

        var tagNames = tags.Select(t => t.Name).ToList();
        var annotatorOf = only is null ? -1 : annotators.IndexOf(only);
        var effects = rows.ConvertAll(r => r.Effect).ToArray();
        var table = TagEffectTable.FromIndexed(tagNames, traceKeys, traceOf, effects, finished, tagSets, RuleOf(layer).Kind, annotatorOf);
        if (table.Sentences == 0)
        {
            var who = layers.First(l => l.Value == layer).Label;
            return new Read(
                new KindsView(selection, options, basis(0, 0), [], $"{who} has no tag of \"{taxonomy.Name}\" on a sentence with a {effect.Label().ToLowerInvariant()} for {outcome.Name} in the chosen datasets."),
                null, [], topK);
        }

        // The table keeps the order of rows, so its sentence j is the j-th annotated row.
        var lookedAt = new bool[traceKeys.Count];
        for (var a = 0; a < finished.Length; a++)
        {
            if (annotatorOf < 0 || a == annotatorOf)
            {
                for (var trace = 0; trace < lookedAt.Length; trace++)
                {
                    lookedAt[trace] |= finished[a][trace];
                }
            }
        }

        var annotated = new List<SentenceRow>(table.Sentences);
        for (var j = 0; j < rows.Count; j++)
        {
            if (lookedAt[traceOf[j]])
            {
                annotated.Add(rows[j]);
            }
        }

        phases.Next("bootstrap");
        var report = TagEffectAnalysis.Compute(table, topK, Bootstrap);
        phases.Next("view");
        var colours = tags.ToDictionary(t => t.Name, t => ProductColors.ForTag(t.Name, t.Colour).Hex, StringComparer.Ordinal);
        var kindsRows = report.Tags
            .Select(e => new KindsRow(e.Tag, colours[e.Tag], Group(e.Tagged), Group(e.Untagged), Number(e.SignedDifference), Number(e.AbsoluteDifference)))
            .OrderBy(r => r.Tagged.MeanSigned.Value is null).ThenByDescending(r => r.Tagged.MeanSigned.Value).ThenBy(r => r.Tag, StringComparer.Ordinal)
            .ToList();
        var view = new KindsView(selection, options, basis(report.Traces, report.Sentences), kindsRows, null);
        return new Read(view, table, annotated, topK);
    }

    private async Task<KindsSentences> ListSentencesAsync(Read read, TagEffectTable table, string tag, CancellationToken ct)
    {
        var g = table.Tags.ToList().IndexOf(tag);
        var rows = read.Rows;
        var top = new HashSet<int>();
        foreach (var trace in rows.Select((r, j) => (r, j)).GroupBy(p => p.r.TraceId))
        {
            // As the statistics take it: strongest first, ties in sentence order.
            top.UnionWith(trace.OrderByDescending(p => Math.Abs(p.r.Effect)).Take(read.TopK).Select(p => p.j));
        }

        var tagged = Enumerable.Range(0, rows.Count).Where(j => table.Tagged[g][j]).ToList();
        var listed = tagged.OrderByDescending(j => Math.Abs(rows[j].Effect)).ThenBy(j => j).Take(SentenceLimit).ToList();
        var ids = listed.Select(j => rows[j].SentenceId).ToList();
        var texts = await (
            from s in db.Set<Sentence>().AsNoTracking()
            where ids.Contains(s.Id)
            join t in db.Set<Trace>() on s.TraceId equals t.Id
            select new { s.Id, s.Text, t.Title })
            .ToDictionaryAsync(x => x.Id, ct);
        return new KindsSentences(tag, tagged.Count, SentenceLimit, [.. listed.Select(j =>
        {
            var r = rows[j];
            var text = texts[r.SentenceId];
            return new KindsSentence(r.TraceId, text.Title, r.Index, text.Text, r.Effect, top.Contains(j));
        })]);
    }

    private static string TraceKey(int traceId) => traceId.ToString(CultureInfo.InvariantCulture);

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static readonly string[] Names =
    [
        MetricNames.CounterfactualEffect,
        MetricNames.ResamplingEffect,
        MetricNames.DissimilarFraction,
        MetricNames.CounterfactualKl,
        MetricNames.ResamplingKl,
    ];

    /// <summary>
    /// A sentence's signed number for the effect kind, as the trace page reads it: the counterfactual effect or its
    /// fallback (<see cref="ShownMetricSets.Influence"/>); the resampling effect; or the KL of the same choice, signed by
    /// the sentence's direction (positive when it has none). Null when the sentence has no such number.
    /// </summary>
    internal static double? EffectOf(EffectKind kind, IReadOnlyList<double?> slots)
    {
        if (kind == EffectKind.Resampling)
        {
            return slots[1];
        }

        var influence = ShownMetricSets.Influence(slots[0], slots[1], slots[2]);
        if (kind != EffectKind.Kl)
        {
            return influence.Effect;
        }

        var kl = influence.Fallback ? slots[4] : slots[3];
        return kl is { } value ? (influence.Direction == Direction.Suppresses ? -Math.Abs(value) : Math.Abs(value)) : null;
    }

    /// <summary>
    /// <see cref="EffectOf"/> from a sentence's stored shown effect (<see cref="SearchEffect"/>), where some effect is
    /// defined or the effect is not KL: the directional effect is the counterfactual effect or its fallback, and the
    /// stored KL size is the KL of that same kind, signed here by the direction.
    /// </summary>
    internal static double? StoredEffectOf(EffectKind kind, double? directional, double? resampling, double klRank)
    {
        if (kind == EffectKind.Resampling)
        {
            return resampling;
        }

        if (kind != EffectKind.Kl)
        {
            return directional;
        }

        if (klRank == SearchEffect.Missing)
        {
            return null;
        }

        return ShownMetricSets.DirectionOf(directional) == Direction.Suppresses ? -Math.Abs(klRank) : Math.Abs(klRank);
    }

    private static KindsGroup Group(TagEffectGroup group) => new(
        group.Sentences, group.Traces, Number(group.MeanSignedEffect), Number(group.MeanAbsoluteEffect), Number(group.TopKShare), Number(group.Share));

    private static KindsNumber Number(Statistics.TagEffects.Estimate estimate) =>
        new(estimate.Value, estimate.Interval.Range?.Low, estimate.Interval.Range?.High);
}
