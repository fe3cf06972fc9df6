namespace TraceViewer.Import;

/// <summary>
/// One format the importer reads: its name (stored as the dataset's and trace's source format), a title and what to
/// give, as the import page and the command-line help show them, how discovery recognises it, and its reader.
/// </summary>
internal abstract record ImportFormat(string Name, string Title, string Help);

/// <summary>What discovery knows of a folder when it decides whether it is an item of a format.</summary>
/// <param name="Files">Names of the regular files in it.</param>
/// <param name="ChunkFolders">How many <c>chunk_N</c> folders with a <c>solutions.json</c> it has.</param>
internal sealed record ItemFolderFacts(IReadOnlySet<string> Files, int ChunkFolders);

/// <summary>A format whose trace is one item folder (<c>problem_N</c> / <c>scenario_N</c>) and the files in it.</summary>
/// <param name="DatasetDescription">The description of a dataset made from items of this format.</param>
/// <param name="Recognises">Whether a folder is an item of this format; formats are asked in the registry's order.</param>
/// <param name="Read">Reads one item (the item, the folder relative paths start from, called once per file parsed, warnings, limits).</param>
internal sealed record ItemFolderFormat(
    string Name,
    string Title,
    string Help,
    string DatasetDescription,
    Func<ItemFolderFacts, bool> Recognises,
    Func<DiscoveredItem, string, Action, List<string>, ImportOptions, ImportedTrace> Read) : ImportFormat(Name, Title, Help);

/// <summary>A format read one file at a time.</summary>
/// <param name="Extension">The file name's ending (with its dot), which the upload picker offers.</param>
/// <param name="Recognises">Whether a file with that ending is of this format (it may look inside).</param>
/// <param name="Read">Reads one file (full path, path as errors name it, warnings, limits).</param>
internal sealed record FileFormat(
    string Name,
    string Title,
    string Help,
    string Extension,
    Func<string, bool> Recognises,
    Func<string, string, List<string>, ImportOptions, FileContents> Read) : ImportFormat(Name, Title, Help);

/// <summary>What one file gives: outcomes and taxonomies it defines, and its traces.</summary>
internal sealed record FileContents(IReadOnlyList<ImportedOutcome> Outcomes, IReadOnlyList<Tags.ImportedTaxonomy> Taxonomies, IReadOnlyList<ImportedTrace> Traces);

/// <summary>
/// Every import format, in the order discovery asks them and the import page and help list them. Adding a format is
/// one entry here (and its reader).
/// </summary>
internal static class ImportFormats
{
    public static readonly ItemFolderFormat ViewerBundle = new(
        SourceFormats.ViewerBundle,
        "Thought Anchors viewer bundles",
        "problem_* / scenario_* folders with chunks_resampled.json or step_importance.json (metrics as computed, no rollouts)",
        "thought-anchors.com viewer bundle: metrics imported, not recomputable",
        f => f.ChunkFolders == 0 && (f.Files.Contains("chunks_resampled.json") || f.Files.Contains("step_importance.json")),
        ThoughtAnchorsReader.Read);

    public static readonly ItemFolderFormat RolloutTree = new(
        SourceFormats.RolloutTree,
        "Thought Anchors rollout trees",
        "problem_* folders with problem.json and chunk_*/solutions.json",
        "Thought Anchors rollout tree",
        f => f.ChunkFolders > 0 && f.Files.Contains("problem.json"),
        ThoughtAnchorsReader.Read);

    public static readonly ItemFolderFormat ScenarioTree = new(
        SourceFormats.ScenarioTree,
        "thought-branches scenario trees",
        "scenario_* folders with scenario.json and chunk_*/solutions.json",
        "thought-branches scenario tree",
        f => f.ChunkFolders > 0 && f.Files.Contains("scenario.json"),
        ThoughtAnchorsReader.Read);

    public static readonly FileFormat NativeJsonl = new(
        SourceFormats.NativeJsonl,
        "TraceViewer exports",
        ".jsonl files written by export or the export page",
        ".jsonl",
        _ => true,
        (path, relative, warnings, limits) =>
        {
            var contents = NativeJsonlReader.Read(path, relative, warnings, limits);
            return new FileContents(contents.Outcomes, contents.Taxonomies, contents.Traces);
        });

    public static readonly FileFormat AlignmentFakingResults = new(
        AlignmentFaking.HughesImport.SourceFormat,
        "alignment-faking results",
        ".json arrays of result records (user_input, response, classifier votes)",
        ".json",
        AlignmentFaking.HughesResultsReader.LooksLikeResultsFile,
        (path, relative, warnings, limits) => new FileContents([], [], AlignmentFaking.HughesImport.Read(path, relative, warnings, limits)));

    public static IReadOnlyList<ItemFolderFormat> ItemFolders { get; } = [ViewerBundle, RolloutTree, ScenarioTree];

    public static IReadOnlyList<FileFormat> Files { get; } = [NativeJsonl, AlignmentFakingResults];

    public static IReadOnlyList<ImportFormat> All { get; } = [.. ItemFolders, .. Files];

    /// <summary>The endings of files the upload picker offers: zip archives and every file format's.</summary>
    public static IReadOnlyList<string> UploadExtensions { get; } = [".zip", .. Files.Select(f => f.Extension).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>The formats' titles as a list in words, for messages ("a, b or c").</summary>
    public static string TitlesInWords { get; } = InWords(All.Select(f => f.Title).ToList());

    /// <summary>The file format a file is of, or null: the first whose ending it has and which recognises it.</summary>
    public static FileFormat? FileFormatOf(string path) =>
        Files.FirstOrDefault(f => path.EndsWith(f.Extension, StringComparison.OrdinalIgnoreCase) && f.Recognises(path));

    /// <summary>Whether a file has the ending of some file format (then one that is recognised as none is worth a closer look).</summary>
    public static bool HasFormatExtension(string path) =>
        Files.Any(f => path.EndsWith(f.Extension, StringComparison.OrdinalIgnoreCase));

    /// <summary>The item-folder format a folder is of, or null.</summary>
    public static ItemFolderFormat? ItemFolderFormatOf(ItemFolderFacts facts) => ItemFolders.FirstOrDefault(f => f.Recognises(facts));

    public static bool IsItemFolderFormat(string name) => ItemFolders.Any(f => f.Name == name);

    private static string InWords(List<string> parts) =>
        parts.Count <= 1 ? string.Concat(parts) : string.Join(", ", parts.Take(parts.Count - 1)) + " or " + parts[^1];
}
