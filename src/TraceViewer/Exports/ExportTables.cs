using TraceViewer.Search;
using TraceViewer.Traces;

namespace TraceViewer.Exports;

/// <summary>A table to export: header and formatted cells.</summary>
public sealed record ExportTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>The lists' rows as export tables; text from imports or models goes through <see cref="ExportCsv.Text"/>.</summary>
public static class ExportTables
{
    public static ExportTable Traces(IReadOnlyList<TraceRow> rows) => new(
        ["id", "title", "dataset_id", "dataset", "model", "tier", "prompt_variant", "sentences", "resamples", "max_importance", "imported_at", "base_outcomes"],
        rows.Select(r => (IReadOnlyList<string>)
        [
            ExportCsv.Number(r.Id), ExportCsv.Text(r.Title), ExportCsv.Number(r.DatasetId), ExportCsv.Text(r.DatasetName), ExportCsv.Text(r.Model),
            ExportCsv.Text(r.Tier), ExportCsv.Text(r.PromptVariant), ExportCsv.Number(r.SentenceCount), ExportCsv.Number(r.ResampleCount),
            ExportCsv.Number(r.MaxImportance), ExportCsv.Time(r.ImportedAt),
            ExportCsv.Text(string.Join("; ", r.Labels.Select(l => $"{l.Outcome}={(l.IsPositive switch { true => "yes", false => "no", _ => "?" })}"))),
        ]).ToList());

    public static ExportTable Hits(IReadOnlyList<SentenceHit> hits, SentenceSearchFilter filter) => new(
        ["trace_id", "trace", "dataset", "index", "text", "tags", "outcome", "effect_kind", "effect", "direction", "fallback", "source"],
        hits.Select(h => (IReadOnlyList<string>)
        [
            ExportCsv.Number(h.TraceId), ExportCsv.Text(h.TraceTitle), ExportCsv.Text(h.DatasetName), ExportCsv.Number(h.Index), ExportCsv.Text(h.Text),
            ExportCsv.Text(string.Join("; ", h.Tags)), ExportCsv.Text(filter.Outcome), h.Effect is null ? "" : filter.Effect.ToString().ToLowerInvariant(),
            ExportCsv.Number(h.Effect?.Value), h.Effect is { } e ? e.Shown.Direction.ToString().ToLowerInvariant() : "",
            h.Effect is { } f ? ExportCsv.Bool(f.Fallback) : "", ExportCsv.Text(h.Effect?.Source),
        ]).ToList());

    /// <summary>
    /// A trace's sentence metrics, one row per sentence and outcome (one row with an empty outcome when the trace has
    /// none): the outcome rate with the sentence removed (before) and kept (after), the effects with their 95% intervals,
    /// the KL divergences, direction, importance and tags as taxonomy:tag.
    /// </summary>
    public static ExportTable Sentences(TraceDocument trace)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var sentence in trace.Sentences)
        {
            var common = new[]
            {
                ExportCsv.Number(trace.Id), ExportCsv.Number(sentence.Index), ExportCsv.Text(sentence.Text),
            };
            var tags = ExportCsv.Text(string.Join("; ", sentence.Tags.Select(t => $"{t.Taxonomy}:{t.Tag}").Distinct()));
            if (trace.Outcomes.Count == 0)
            {
                rows.Add([.. common, "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", tags]);
                continue;
            }

            foreach (var outcome in trace.Outcomes)
            {
                var before = outcome.PrefixRates.FirstOrDefault(r => r.Index == sentence.Index);
                var after = outcome.PrefixRates.FirstOrDefault(r => r.Index == sentence.Index + 1);
                var e = outcome.Effects.FirstOrDefault(x => x.Index == sentence.Index);
                rows.Add(
                [
                    .. common, ExportCsv.Text(outcome.Key), ExportCsv.Number(before?.Value), ExportCsv.Number(after?.Value),
                    ExportCsv.Number(e?.CounterfactualEffect?.Value), ExportCsv.Number(e?.CounterfactualEffect?.Low), ExportCsv.Number(e?.CounterfactualEffect?.High),
                    ExportCsv.Number(e?.ResamplingEffect?.Value), ExportCsv.Number(e?.ResamplingEffect?.Low), ExportCsv.Number(e?.ResamplingEffect?.High),
                    ExportCsv.Number(e?.CounterfactualKl), ExportCsv.Number(e?.ResamplingKl), ExportCsv.Number(e?.DissimilarFraction),
                    e is null ? "" : e.Direction.ToString().ToLowerInvariant(), ExportCsv.Number(e?.Importance), e is null ? "" : ExportCsv.Bool(e.Fallback),
                    tags,
                ]);
            }
        }

        return new(SentenceHeader, rows);
    }

    /// <summary>
    /// The rows of <see cref="Sentences"/> as JSON objects keyed by the same column names: the raw text (no formula
    /// guard), numbers as numbers, booleans as booleans, tags as a list, and null for every value that is undefined.
    /// </summary>
    public static IReadOnlyList<Dictionary<string, object?>> SentenceObjects(TraceDocument trace)
    {
        var rows = new List<Dictionary<string, object?>>();
        foreach (var sentence in trace.Sentences)
        {
            var tags = sentence.Tags.Select(t => $"{t.Taxonomy}:{t.Tag}").Distinct().ToList();
            var outcomes = trace.Outcomes.Count == 0 ? [null] : trace.Outcomes.Cast<OutcomeMetrics?>();
            foreach (var outcome in outcomes)
            {
                var before = outcome?.PrefixRates.FirstOrDefault(r => r.Index == sentence.Index);
                var after = outcome?.PrefixRates.FirstOrDefault(r => r.Index == sentence.Index + 1);
                var e = outcome?.Effects.FirstOrDefault(x => x.Index == sentence.Index);
                rows.Add(new Dictionary<string, object?>
                {
                    ["trace_id"] = trace.Id,
                    ["index"] = sentence.Index,
                    ["text"] = sentence.Text,
                    ["outcome"] = outcome?.Key,
                    ["rate_before"] = Finite(before?.Value),
                    ["rate_after"] = Finite(after?.Value),
                    ["counterfactual_effect"] = Finite(e?.CounterfactualEffect?.Value),
                    ["counterfactual_low"] = Finite(e?.CounterfactualEffect?.Low),
                    ["counterfactual_high"] = Finite(e?.CounterfactualEffect?.High),
                    ["resampling_effect"] = Finite(e?.ResamplingEffect?.Value),
                    ["resampling_low"] = Finite(e?.ResamplingEffect?.Low),
                    ["resampling_high"] = Finite(e?.ResamplingEffect?.High),
                    ["counterfactual_kl"] = Finite(e?.CounterfactualKl),
                    ["resampling_kl"] = Finite(e?.ResamplingKl),
                    ["dissimilar_fraction"] = Finite(e?.DissimilarFraction),
                    ["direction"] = e?.Direction.ToString().ToLowerInvariant(),
                    ["importance"] = Finite(e?.Importance),
                    ["fallback"] = e?.Fallback,
                    ["tags"] = tags,
                });
            }
        }

        return rows;
    }

    /// <summary>A number that is not finite is not defined (0008): null.</summary>
    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    public static readonly IReadOnlyList<string> SentenceHeader =
    [
        "trace_id", "index", "text", "outcome", "rate_before", "rate_after",
        "counterfactual_effect", "counterfactual_low", "counterfactual_high",
        "resampling_effect", "resampling_low", "resampling_high",
        "counterfactual_kl", "resampling_kl", "dissimilar_fraction",
        "direction", "importance", "fallback", "tags",
    ];
}
