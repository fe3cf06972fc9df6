namespace TraceViewer.Tags;

// The tag parts of TraceViewer's native JSONL (taxonomy and sentenceTag lines) and of tag files, before they are written.

/// <summary>A taxonomy with its tags, as a native JSONL export carries it.</summary>
internal sealed record ImportedTaxonomy(string Name, string? Description, int Version, bool MultiChoice, IReadOnlyList<ImportedTag> Tags)
{
    /// <summary>Written for information; only TraceViewer's own definitions are built in, whatever a file says.</summary>
    public bool BuiltIn { get; init; }
}

internal sealed record ImportedTag(string Name, string? Colour, string? Description, int? Hotkey, bool Retired);

/// <summary>One annotator's tag on a sentence of the trace it belongs to (by sentence index).</summary>
internal sealed record ImportedSentenceTag(
    int Sentence,
    string Taxonomy,
    string Tag,
    AnnotatorKind AnnotatorKind,
    string Annotator,
    string? Note,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt);

/// <summary>A row of a tag file (CSV or JSONL): the sentence by trace (dataset key and trace key) and index, with its text to check.</summary>
internal sealed record TagRow(
    string Dataset,
    string Trace,
    int Sentence,
    string? Text,
    string Taxonomy,
    string Tag,
    AnnotatorKind AnnotatorKind,
    string Annotator,
    DateTimeOffset? Time,
    string? Note);

/// <summary>A tag row with the line it starts on, for errors.</summary>
internal sealed record TagFileRow(long Line, TagRow Row);

/// <summary>What importing tags did.</summary>
internal sealed record TagImportSummary(int Added, int Updated, int Unchanged, IReadOnlyList<string> Warnings);
