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
}
