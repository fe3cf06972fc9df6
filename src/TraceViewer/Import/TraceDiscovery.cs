using System.Globalization;
using System.Text.RegularExpressions;

namespace TraceViewer.Import;

/// <summary>One item folder (problem_N / scenario_N) and, for (a), its forced-answer sibling when present.</summary>
internal sealed record DiscoveredItem(
    ItemFolderFormat Format,
    string FullPath,
    string RelativePath,
    FolderNames Folders,
    IReadOnlyList<(int Index, string Path)> ChunkFolders,
    DiscoveredForcedTree? Forced)
{
    public string Name => Path.GetFileName(FullPath);
}

internal sealed record DiscoveredForcedTree(string RelativePath, IReadOnlyList<(int Index, string Path)> ChunkFolders);

/// <param name="Files">Files of the file formats, by format in the registry's order, then in the order they were found.</param>
internal sealed record Discovery(IReadOnlyList<DiscoveredItem> Items, IReadOnlyList<DiscoveredFile> Files, IReadOnlyList<string> Warnings, int FileCount);

internal sealed record DiscoveredFile(FileFormat Format, string FullPath);

/// <summary>Finds every trace below a folder and recognises its format (formats.md §0.4) among <see cref="ImportFormats"/>.</summary>
internal static partial class TraceDiscovery
{
    public static readonly string[] ViewerFiles =
        ["problem.json", "scenario.json", "base_solution.json", "chunks_labeled.json", "chunks_resampled.json", "step_importance.json", "step_importance_supp.json", "summary.json"];

    private static readonly string[] TreeFiles =
        ["problem.json", "scenario.json", "base_solution.json", "chunks.json", "chunks_labeled.json", "step_importance.json", "step_importance_supp.json", "summary.json"];

    /// <param name="root">A folder to walk, or one .jsonl file.</param>
    /// <param name="namesAboveRoot">Whether folder names above the root may give the model and solution type
    /// (true for paths on this machine, false for uploads that live in a temporary folder).</param>
    /// <param name="rootName">How errors about the root itself name it (an upload's temporary folder means nothing to its reader).</param>
    /// <param name="limits">Limits for reading a .json file that is recognised as nothing, to report why.</param>
    public static Discovery Discover(string root, bool namesAboveRoot, string? rootName = null, ImportOptions? limits = null)
    {
        root = Path.GetFullPath(root);
        if (File.Exists(root))
        {
            if (ImportFormats.FileFormatOf(root) is { } format)
            {
                return new Discovery([], [new DiscoveredFile(format, root)], [], 1);
            }

            if (root.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                ThrowIfNotJson(root, Path.GetFileName(root), limits);
            }

            throw new ImportException(Path.GetFileName(root), null, null, $"not a recognised import file (expected a folder or a file of one of the formats: {ImportFormats.TitlesInWords})");
        }

        if (!Directory.Exists(root))
        {
            throw new ImportException(root, null, null, "no such file or folder");
        }

        var items = new List<DiscoveredItem>();
        var forced = new List<DiscoveredItem>();
        var files = new List<DiscoveredFile>();
        var warnings = new List<string>();
        var walk = new WalkState(root, RealPath(root), namesAboveRoot, items, forced, files, warnings);
        Walk(walk, root);

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

        if (matched.Count == 0 && files.Count == 0)
        {
            // A broken JSON file is recognised as nothing; its own error says more than "unknown layout".
            foreach (var json in walk.OtherJson)
            {
                ThrowIfNotJson(json, Relative(root, json), limits);
            }

            var seen = walk.OtherJson.Count == 0 ? "" : $"; {Relative(root, walk.OtherJson[0])} is JSON of no known import format";
            throw new ImportException(rootName ?? Relative(root, root), null, null,
                $"unknown layout: no recognisable trace files below this folder (expected {ImportFormats.TitlesInWords})" + seen);
        }

        var fileCount = files.Count + matched.Sum(CountFiles);
        var ordered = files.OrderBy(f => IndexOf(f.Format)).ToList();
        return new Discovery(matched, ordered, warnings, fileCount);
    }

    public static string Relative(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
        return relative == "." ? Path.GetFileName(path) : relative;
    }

    private static int IndexOf(FileFormat format)
    {
        for (var i = 0; i < ImportFormats.Files.Count; i++)
        {
            if (ImportFormats.Files[i] == format)
            {
                return i;
            }
        }

        return ImportFormats.Files.Count;
    }

    private sealed record WalkState(
        string Root, string RealRoot, bool NamesAboveRoot, List<DiscoveredItem> Items, List<DiscoveredItem> Forced, List<DiscoveredFile> Files, List<string> Warnings)
    {
        /// <summary>.json files outside item folders that are of no file format.</summary>
        public List<string> OtherJson { get; } = [];
    }

    /// <summary>Reads a .json file as JSON and throws its error (file, line, what is wrong) if it is not.</summary>
    private static void ThrowIfNotJson(string path, string relative, ImportOptions? limits) =>
        SourceJson.Read<System.Text.Json.JsonElement>(path, relative, limits ?? new ImportOptions());

    /// <summary>
    /// Why a file below the root is not read, or null when it may be. Special files (pipes, sockets, devices) are never
    /// opened: reading one can block forever. A symbolic link is followed only to a regular file inside the root.
    /// </summary>
    internal static string? SkipReason(string path, string realRoot)
    {
        switch (FileKinds.Of(path))
        {
            case FileKind.Special:
                return "not a regular file (a named pipe, socket or device); skipped without opening it";
            case FileKind.SymbolicLink:
                string target;
                try
                {
                    target = RealPath(path);
                }
                catch (IOException)
                {
                    return "a symbolic link that loops or cannot be resolved; skipped";
                }

                if (!IsInside(target, realRoot))
                {
                    return $"a symbolic link to {target}, which is outside the import root; skipped";
                }

                return FileKinds.Of(target) switch
                {
                    FileKind.Regular => null,
                    FileKind.Missing => "a symbolic link to a missing file; skipped",
                    _ => "a symbolic link to something other than a regular file; skipped",
                };
            default:
                return null;
        }
    }

    /// <summary>
    /// Directory links are never followed: one that points at or above itself (<c>loop -> .</c>, <c>up -> ..</c>) would
    /// walk forever, one that leaves the root would import what was not chosen, and one inside the root would import
    /// its target a second time (that target is walked where it is).
    /// </summary>
    private static string DirectoryLinkReason(string link, string realRoot)
    {
        string target;
        try
        {
            target = RealPath(link);
        }
        catch (IOException)
        {
            return "a symbolic link that loops or cannot be resolved; skipped";
        }

        var realParent = RealPath(Path.GetDirectoryName(link)!);
        if (IsInside(realParent, target))
        {
            return $"a symbolic link to {target}, a folder that contains it (a loop); skipped";
        }

        return IsInside(target, realRoot)
            ? $"a symbolic link to {target}, which is already inside the import root and imported from there; skipped"
            : $"a symbolic link to {target}, which is outside the import root; skipped";
    }

    private static bool IsInside(string path, string folder) =>
        path == folder || path.StartsWith(folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symbolic link in it resolved; throws <see cref="IOException"/> for a loop.</summary>
    internal static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var result = Path.GetPathRoot(full) ?? "/";
        var pending = new Stack<string>(full[result.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse());
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            var next = Path.Combine(result, part);
            var link = FileKinds.Of(next) == FileKind.SymbolicLink ? new FileInfo(next).LinkTarget : null;
            if (link is null)
            {
                result = next;
                continue;
            }

            if (++hops > 40)
            {
                throw new IOException($"too many levels of symbolic links at {next}");
            }

            // Resolve the target's own parts in place of this one.
            var target = Path.IsPathRooted(link) ? link : Path.Combine(result, link);
            var targetFull = Path.GetFullPath(target);
            result = Path.GetPathRoot(targetFull) ?? "/";
            foreach (var p in targetFull[result.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(p);
            }
        }

        return result;
    }

    private static void Walk(WalkState walk, string dir)
    {
        var (root, namesAboveRoot, items, forced) = (walk.Root, walk.NamesAboveRoot, walk.Items, walk.Forced);
        var subdirectories = new List<string>();
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
        {
            var kind = FileKinds.Of(entry);
            if (kind == FileKind.Directory)
            {
                subdirectories.Add(entry);
                continue;
            }

            if (kind == FileKind.SymbolicLink && Directory.Exists(entry))
            {
                walk.Warnings.Add($"{Relative(root, entry)}: {DirectoryLinkReason(entry, walk.RealRoot)}");
                continue;
            }

            if (SkipReason(entry, walk.RealRoot) is { } reason)
            {
                walk.Warnings.Add($"{Relative(root, entry)}: {reason}");
                continue;
            }

            files.Add(Path.GetFileName(entry));
        }
        var chunkFolders = subdirectories
            .Select(d => (Match: ChunkFolderPattern().Match(Path.GetFileName(d)), Path: d))
            .Where(c => c.Match.Success && File.Exists(Path.Combine(c.Path, "solutions.json")))
            .Select(c => (Index: int.Parse(c.Match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture), c.Path))
            .OrderBy(c => c.Index)
            .ToList();

        var name = Path.GetFileName(dir);
        var isItemName = name.StartsWith("problem_", StringComparison.Ordinal) || name.StartsWith("scenario_", StringComparison.Ordinal);
        var parents = Parents(root, dir, namesAboveRoot);
        var folders = FolderNames.Parse(parents);
        // Forced-answer rollouts belong to the rollout tree beside them (matched after the walk).
        if (chunkFolders.Count > 0 && folders.ForcedAnswer)
        {
            forced.Add(new DiscoveredItem(ImportFormats.RolloutTree, dir, Relative(root, dir), folders, chunkFolders, null));
            return;
        }

        if (ImportFormats.ItemFolderFormatOf(new ItemFolderFacts(files, chunkFolders.Count)) is { } found)
        {
            items.Add(new DiscoveredItem(found, dir, Relative(root, dir), folders, chunkFolders, null));
            return;
        }

        if (isItemName || files.Contains("base_solution.json"))
        {
            throw new ImportException(Relative(root, dir), null, null,
                "unknown layout: an item folder is one of " + string.Join("; ", ImportFormats.ItemFolders.Select(f => $"{f.Title}: {f.Help}")));
        }

        foreach (var file in files.Order(StringComparer.Ordinal).Select(f => Path.Combine(dir, f)))
        {
            if (ImportFormats.FileFormatOf(file) is { } format)
            {
                walk.Files.Add(new DiscoveredFile(format, file));
            }
            else if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                walk.OtherJson.Add(file);
            }
        }

        foreach (var subdirectory in subdirectories)
        {
            var subName = Path.GetFileName(subdirectory);
            // Hidden folders and the resource forks that macOS puts into zip files hold no traces.
            if (!subName.StartsWith('.') && subName != "__MACOSX")
            {
                Walk(walk, subdirectory);
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
        main.Format == ImportFormats.RolloutTree
        && forcedItem.Name == main.Name
        && forcedItem.Folders.ModelFolder == main.Folders.ModelFolder
        && forcedItem.Folders.TemperatureFolder == main.Folders.TemperatureFolder
        && forcedItem.Folders.SolutionTypeFolder == main.Folders.ForcedSiblingFolder;

    private static int CountFiles(DiscoveredItem item)
    {
        var names = item.Format == ImportFormats.ViewerBundle ? ViewerFiles : TreeFiles;
        return names.Count(n => File.Exists(Path.Combine(item.FullPath, n))) + item.ChunkFolders.Count + (item.Forced?.ChunkFolders.Count ?? 0);
    }

    // At most nine digits, so the index fits an int; larger ones are refused by the range checks.
    [GeneratedRegex(@"^chunk_(\d{1,9})$")]
    private static partial Regex ChunkFolderPattern();
}
