using System.Globalization;
using System.Text.RegularExpressions;

namespace TraceViewer.Import;

internal enum ItemLayout
{
    /// <summary>(c) thought-anchors.com viewer bundle: precomputed metrics, no rollouts.</summary>
    ViewerBundle,

    /// <summary>(a) Thought Anchors rollout tree (problem.json + chunk_i/solutions.json).</summary>
    RolloutTree,

    /// <summary>(b) thought-branches scenario tree (scenario.json + chunk_i/solutions.json).</summary>
    ScenarioTree,
}

/// <summary>One item folder (problem_N / scenario_N) and, for (a), its forced-answer sibling when present.</summary>
internal sealed record DiscoveredItem(
    ItemLayout Layout,
    string FullPath,
    string RelativePath,
    FolderNames Folders,
    IReadOnlyList<(int Index, string Path)> ChunkFolders,
    DiscoveredForcedTree? Forced)
{
    public string Name => Path.GetFileName(FullPath);
}

internal sealed record DiscoveredForcedTree(string RelativePath, IReadOnlyList<(int Index, string Path)> ChunkFolders);

internal sealed record Discovery(IReadOnlyList<DiscoveredItem> Items, IReadOnlyList<string> NativeFiles, IReadOnlyList<string> Warnings, int FileCount)
{
    /// <summary>Alignment-faking results arrays (formats.md §d.1).</summary>
    public IReadOnlyList<string> ResultFiles { get; init; } = [];
}

/// <summary>Finds every trace below a folder and recognises its format (formats.md §0.4).</summary>
internal static partial class TraceDiscovery
{
    public static readonly string[] ViewerFiles =
        ["problem.json", "scenario.json", "base_solution.json", "chunks_labeled.json", "chunks_resampled.json", "step_importance.json", "step_importance_supp.json", "summary.json"];

    private static readonly string[] TreeFiles =
        ["problem.json", "scenario.json", "base_solution.json", "chunks.json", "chunks_labeled.json", "step_importance.json", "step_importance_supp.json", "summary.json"];

    /// <param name="root">A folder to walk, or one .jsonl file.</param>
    /// <param name="namesAboveRoot">Whether folder names above the root may give the model and solution type
    /// (true for paths on this machine, false for uploads that live in a temporary folder).</param>
    public static Discovery Discover(string root, bool namesAboveRoot)
    {
        root = Path.GetFullPath(root);
        if (File.Exists(root))
        {
            if (root.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            {
                return new Discovery([], [root], [], 1);
            }

            if (root.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && AlignmentFaking.HughesResultsReader.LooksLikeResultsFile(root))
            {
                return new Discovery([], [], [], 1) { ResultFiles = [root] };
            }

            throw new ImportException(Path.GetFileName(root), null, null, "not a recognised import file (expected a folder, an alignment-faking results .json array or a .jsonl export)");
        }

        if (!Directory.Exists(root))
        {
            throw new ImportException(root, null, null, "no such file or folder");
        }

        var items = new List<DiscoveredItem>();
        var forced = new List<DiscoveredItem>();
        var native = new List<string>();
        var results = new List<string>();
        Walk(root, root, namesAboveRoot, items, forced, native, results);

        var warnings = new List<string>();
        var matched = new List<DiscoveredItem>();
        foreach (var item in items)
        {
            var sibling = forced.FirstOrDefault(f => IsForcedSiblingOf(f, item));
            matched.Add(sibling is null ? item : item with { Forced = new DiscoveredForcedTree(sibling.RelativePath, sibling.ChunkFolders) });
        }

        foreach (var orphan in forced.Where(f => !items.Any(i => IsForcedSiblingOf(f, i))))
        {
            warnings.Add($"{orphan.RelativePath}: forced-answer rollouts without a matching main tree were skipped");
        }

        if (matched.Count == 0 && native.Count == 0 && results.Count == 0)
        {
            throw new ImportException(Relative(root, root), null, null,
                "unknown layout: no recognisable trace files below this folder (expected problem_*/scenario_* item folders, alignment-faking results_*.json files or a .jsonl export)");
        }

        var fileCount = native.Count + results.Count + matched.Sum(CountFiles);
        return new Discovery(matched, native, warnings, fileCount) { ResultFiles = results };
    }

    public static string Relative(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
        return relative == "." ? Path.GetFileName(path) : relative;
    }

    private static void Walk(string root, string dir, bool namesAboveRoot, List<DiscoveredItem> items, List<DiscoveredItem> forced, List<string> native, List<string> results)
    {
        var subdirectories = Directory.GetDirectories(dir).Order(StringComparer.Ordinal).ToList();
        var files = Directory.GetFiles(dir).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var chunkFolders = subdirectories
            .Select(d => (Match: ChunkFolderPattern().Match(Path.GetFileName(d)), Path: d))
            .Where(c => c.Match.Success && File.Exists(Path.Combine(c.Path, "solutions.json")))
            .Select(c => (Index: int.Parse(c.Match.Groups[1].ValueSpan, CultureInfo.InvariantCulture), c.Path))
            .OrderBy(c => c.Index)
            .ToList();

        var name = Path.GetFileName(dir);
        var isItemName = name.StartsWith("problem_", StringComparison.Ordinal) || name.StartsWith("scenario_", StringComparison.Ordinal);
        var parents = Parents(root, dir, namesAboveRoot);
        var folders = FolderNames.Parse(parents);
        ItemLayout? layout = null;
        if (chunkFolders.Count > 0 && folders.ForcedAnswer)
        {
            forced.Add(new DiscoveredItem(ItemLayout.RolloutTree, dir, Relative(root, dir), folders, chunkFolders, null));
            return;
        }

        if (chunkFolders.Count == 0 && (files.Contains("chunks_resampled.json") || files.Contains("step_importance.json")))
        {
            layout = ItemLayout.ViewerBundle;
        }
        else if (chunkFolders.Count > 0 && files.Contains("problem.json"))
        {
            layout = ItemLayout.RolloutTree;
        }
        else if (chunkFolders.Count > 0 && files.Contains("scenario.json"))
        {
            layout = ItemLayout.ScenarioTree;
        }

        if (layout is { } found)
        {
            items.Add(new DiscoveredItem(found, dir, Relative(root, dir), folders, chunkFolders, null));
            return;
        }

        if (isItemName || files.Contains("base_solution.json"))
        {
            throw new ImportException(Relative(root, dir), null, null,
                "unknown layout: an item folder needs chunks_resampled.json or step_importance.json (viewer bundle), "
                + "or chunk_*/solutions.json with problem.json or scenario.json (rollout tree)");
        }

        native.AddRange(files.Where(f => f.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).Select(f => Path.Combine(dir, f)));
        results.AddRange(files.Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)
            .Select(f => Path.Combine(dir, f)).Where(AlignmentFaking.HughesResultsReader.LooksLikeResultsFile));
        foreach (var subdirectory in subdirectories)
        {
            var subName = Path.GetFileName(subdirectory);
            // Hidden folders and the resource forks that macOS puts into zip files hold no traces.
            if (!subName.StartsWith('.') && subName != "__MACOSX")
            {
                Walk(root, subdirectory, namesAboveRoot, items, forced, native, results);
            }
        }
    }

    private static List<string> Parents(string root, string dir, bool namesAboveRoot)
    {
        var parent = Path.GetDirectoryName(dir);
        var boundary = namesAboveRoot ? Path.GetPathRoot(dir) ?? "/" : root;
        if (parent is null || !IsWithin(parent, boundary))
        {
            return [];
        }

        var relative = Path.GetRelativePath(boundary, parent);
        return relative == "." ? [] : [.. relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)];
    }

    private static bool IsWithin(string path, string boundary) =>
        Path.GetFullPath(path).StartsWith(Path.GetFullPath(boundary), StringComparison.Ordinal);

    private static bool IsForcedSiblingOf(DiscoveredItem forcedItem, DiscoveredItem main) =>
        main.Layout == ItemLayout.RolloutTree
        && forcedItem.Name == main.Name
        && forcedItem.Folders.ModelFolder == main.Folders.ModelFolder
        && forcedItem.Folders.TemperatureFolder == main.Folders.TemperatureFolder
        && forcedItem.Folders.SolutionTypeFolder == main.Folders.ForcedSiblingFolder;

    private static int CountFiles(DiscoveredItem item)
    {
        var names = item.Layout == ItemLayout.ViewerBundle ? ViewerFiles : TreeFiles;
        return names.Count(n => File.Exists(Path.Combine(item.FullPath, n))) + item.ChunkFolders.Count + (item.Forced?.ChunkFolders.Count ?? 0);
    }

    [GeneratedRegex(@"^chunk_(\d+)$")]
    private static partial Regex ChunkFolderPattern();
}
