using System.Text.Json.Serialization;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;

namespace TraceViewer.Import;

// The in-memory form every reader produces and the writer persists. It carries everything a trace
// owns, so the native JSONL format is a direct serialisation of it and re-imports compare its hash.

internal sealed record ImportedOutcome(string Key, string Name, OutcomeKind Kind, string? RateKey);

internal sealed record ImportedDataset(
    string Key,
    string Name,
    string Model,
    Datasets.DatasetKind Kind,
    string SourceFormat,
    string? Description,
    string? PrimaryOutcome,
    [property: JsonConverter(typeof(RawJsonConverter))] string? Metadata);

internal sealed record ImportedTrace
{
    /// <summary>Set by every reader; not serialised (JSONL lines name their dataset by key).</summary>
    [JsonIgnore]
    public ImportedDataset Dataset { get; init; } = null!;

    public required string ExternalKey { get; init; }

    public required string Title { get; init; }

    public string Prompt { get; init; } = "";

    public string? SystemPrompt { get; init; }

    public string? UserPrompt { get; init; }

    public string Response { get; init; } = "";

    public string Reasoning { get; init; } = "";

    public string? FinalOutput { get; init; }

    public string? Tier { get; init; }

    public string? PromptVariant { get; init; }

    public required string Model { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    /// <summary>Relative to the import root; not part of the content hash, so a moved source is still "unchanged".</summary>
    public string? SourcePath { get; init; }

    public required string SourceFormat { get; init; }

    public bool HasLabelledResamples { get; init; }

    public double? MaxImportance { get; init; }

    [JsonConverter(typeof(RawJsonConverter))]
    public string? Metadata { get; init; }

    public IReadOnlyList<ImportedLabel> Labels { get; init; } = [];

    public IReadOnlyList<ImportedSentence> Sentences { get; init; } = [];

    public IReadOnlyList<ImportedResample> Resamples { get; init; } = [];

    public IReadOnlyList<ImportedMetricSet> MetricSets { get; init; } = [];

    public IReadOnlyList<ImportedLink> Links { get; init; } = [];

    /// <summary>
    /// Tags on the trace's sentences other than the source's own function tags (people's, models', other imports'), from
    /// a native file's sentenceTag lines. Not part of the trace line or the content hash: tagging a trace does not change it.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<Tags.ImportedSentenceTag> SentenceTags { get; init; } = [];
}

internal sealed record ImportedLabel(string Outcome, string? Value, bool? IsPositive);

internal sealed record ImportedSentence(
    int Index,
    string Text,
    string Separator,
    int Start,
    int End,
    // The source's function tags, in order (null when it has none); stored as tags of the "Thought Anchors functions"
    // taxonomy. TraceViewer's JSONL and the content hash write them as one newline-separated text, as they always have.
    [property: JsonConverter(typeof(NewlineSeparatedConverter))] IReadOnlyList<string>? FunctionTags,
    string? DependsOn,
    string? Summary,
    [property: JsonConverter(typeof(RawJsonConverter))] string? Metadata);

internal sealed record ImportedResample
{
    public int Position { get; init; }

    public int SampleIndex { get; init; }

    public string? FirstSentence { get; init; }

    public string? Continuation { get; init; }

    public string? FinalOutput { get; init; }

    public string? Answer { get; init; }

    public string? Error { get; init; }

    /// <summary>Exactly "imported" or "generated" in the native format; any other value fails the import by name.</summary>
    [JsonConverter(typeof(Resampling.ResampleOriginJsonConverter))]
    public Resampling.ResampleOrigin Origin { get; init; } = Resampling.ResampleOrigin.Imported;

    public int? PromptTokens { get; init; }

    public int? CompletionTokens { get; init; }

    [JsonConverter(typeof(RawJsonConverter))]
    public string? Metadata { get; init; }

    /// <summary>Null means "the time of the import".</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    public IReadOnlyList<ImportedLabel> Labels { get; init; } = [];
}

internal sealed record ImportedMetricSet
{
    public required string Outcome { get; init; }

    public MetricSource Source { get; init; } = MetricSource.Imported;

    public string? SourceFile { get; init; }

    public double? Threshold { get; init; }

    public string? EmbeddingModel { get; init; }

    public double? Alpha { get; init; }

    [JsonConverter(typeof(RawJsonConverter))]
    public string? Parameters { get; init; }

    public int ResampleCount { get; init; }

    public string? ResampleSetHash { get; init; }

    /// <summary>Of the resamples a computed set used, the imported and the generated ones (when recorded).</summary>
    public int? ImportedResamples { get; init; }

    public int? GeneratedResamples { get; init; }

    /// <summary>Null means "the time of the import".</summary>
    public DateTimeOffset? ComputedAt { get; init; }

    public IReadOnlyList<ImportedMetric> Values { get; init; } = [];
}

internal sealed record ImportedMetric(
    int SentenceIndex,
    string Name,
    string? SourceKey,
    bool Negated,
    double Value,
    int? Count,
    int? Successes,
    double? Low,
    double? High);

internal sealed record ImportedLink(string Kind, int SourceIndex, int TargetIndex, double Score);

/// <summary>Traces already in memory (a collected trace), written as one import.</summary>
internal sealed record ImportBatch(IReadOnlyList<ImportedOutcome> Outcomes, IReadOnlyList<ImportedTrace> Traces, IReadOnlyList<string> Warnings, int FileCount = 0)
{
    /// <summary>Taxonomies defined by native files (their taxonomy lines).</summary>
    public IReadOnlyList<Tags.ImportedTaxonomy> Taxonomies { get; init; } = [];
}

/// <summary>
/// What one source (an item folder, a native file, a results file) gave, checked and with each trace in canonical
/// order: what the reader hands the writer while it reads the next.
/// </summary>
/// <param name="FilesParsed">How many files the reader had parsed when this part was done.</param>
internal sealed record ImportPart(IReadOnlyList<ImportedOutcome> Outcomes, IReadOnlyList<Tags.ImportedTaxonomy> Taxonomies, IReadOnlyList<ImportedTrace> Traces, int FilesParsed)
{
    /// <summary>The content hash of each trace, in order; null when the traces were not put in order and hashed yet.</summary>
    public IReadOnlyList<string>? Hashes { get; init; }
}

internal sealed record ImportProgress(int FilesParsed, int FilesTotal, int TracesWritten, int TracesTotal);

internal sealed record ImportSummary(
    int Datasets,
    int TracesAdded,
    int TracesUpdated,
    int TracesUnchanged,
    int Sentences,
    int Resamples,
    TimeSpan Elapsed,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The datasets the imported traces are in, in the order they were first met.</summary>
    public IReadOnlyList<ImportedDatasetRow> DatasetRows { get; init; } = [];

    /// <summary>Every imported trace with what happened to it, in source order.</summary>
    public IReadOnlyList<ImportedTraceRow> TraceRows { get; init; } = [];
}

/// <summary>What an import did with one trace.</summary>
public enum ImportChange
{
    Added,
    Updated,
    Unchanged,
}

public sealed record ImportedDatasetRow(int Id, string Key, string Name);

/// <param name="Source">Where it came from, relative to what was imported (an upload's folder path).</param>
public sealed record ImportedTraceRow(int Id, string Title, int DatasetId, ImportChange Change, string? Source = null);

internal static class SourceFormats
{
    public const string ViewerBundle = "thought-anchors-viewer";
    public const string RolloutTree = "thought-anchors-rollouts";
    public const string ScenarioTree = "thought-branches-rollouts";
    public const string NativeJsonl = "traceviewer-jsonl";
}

internal static class SentenceLinkKinds
{
    public const string ResamplingMatch = "resampling_match";
    public const string AttentionSuppression = "attention_suppression";
}
