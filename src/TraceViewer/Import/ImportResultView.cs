namespace TraceViewer.Import;

/// <summary>What the upload endpoint answers after an import: counts, warnings and links to what was imported.</summary>
public sealed record ImportResultView(
    int TracesAdded,
    int TracesUpdated,
    int TracesUnchanged,
    int Sentences,
    int Resamples,
    double Seconds,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<ImportResultDataset> Datasets,
    IReadOnlyList<ImportedTraceRow> Traces,
    int TraceCount)
{
    /// <summary>Traces listed at most; the datasets link to the rest.</summary>
    public const int TracesListed = 500;

    internal static ImportResultView From(ImportSummary summary) => new(
        summary.TracesAdded, summary.TracesUpdated, summary.TracesUnchanged, summary.Sentences, summary.Resamples,
        Math.Round(summary.Elapsed.TotalSeconds, 1), summary.Warnings,
        [.. summary.DatasetRows.Select(d => new ImportResultDataset(d.Id, d.Key, d.Name, summary.TraceRows.Count(t => t.DatasetId == d.Id)))],
        [.. summary.TraceRows.Take(TracesListed)], summary.TraceRows.Count);
}

/// <param name="Traces">Traces of this import in the dataset.</param>
public sealed record ImportResultDataset(int Id, string Key, string Name, int Traces);

/// <summary>The workspace an import writes new datasets to.</summary>
internal sealed record ImportWorkspace(int Id, string Name);
