namespace TraceViewer.Import;

/// <summary>
/// Parses what is below an import root one source at a time (an item folder, a native file, a results file), so only
/// the source being read and those waiting for the writer are in memory; nothing touches the database here.
/// </summary>
internal static class ImportReader
{
    /// <summary>Every source below <paramref name="root"/> as it is parsed; checks that span sources (the same trace twice) run as they go.</summary>
    /// <param name="warnings">Gets the discovery's and the readers' warnings; owned by the caller's reading thread until the enumeration ends.</param>
    public static IEnumerable<ImportPart> Read(Discovery discovery, string root, ImportOptions limits, List<string> warnings, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var fullRoot = Path.GetFullPath(root);
        var baseFolder = File.Exists(fullRoot) ? Path.GetDirectoryName(fullRoot)! : fullRoot;
        warnings.AddRange(discovery.Warnings);
        var seen = new Dictionary<(string DatasetKey, string ExternalKey), string?>();
        var taxonomies = new HashSet<string>(StringComparer.Ordinal);
        var parsed = 0;
        void FileParsed()
        {
            ct.ThrowIfCancellationRequested();
            progress?.Report(new ImportProgress(++parsed, discovery.FileCount, 0, 0));
        }

        ImportPart Checked(IReadOnlyList<ImportedOutcome> outcomes, IReadOnlyList<Tags.ImportedTaxonomy> taxonomiesOfSource, IReadOnlyList<ImportedTrace> traces)
        {
            // Whatever a reader let through, nothing the database would refuse halfway through the write gets past here.
            var whole = new List<ImportedTrace>(traces.Count);
            var hashes = new List<string>(traces.Count);
            foreach (var trace in traces)
            {
                var checkedTrace = ImportChecks.Whole(trace, limits, out _);
                var key = (checkedTrace.Dataset.Key, checkedTrace.ExternalKey);
                if (!seen.TryAdd(key, checkedTrace.SourcePath))
                {
                    throw new ImportException(checkedTrace.SourcePath ?? key.ExternalKey, null, null,
                        $"two sources give the same trace '{key.ExternalKey}' of dataset '{key.Key}': {seen[key]} and {checkedTrace.SourcePath}");
                }

                // Put in order and hashed here, beside the writer, which only has to write it.
                var (canonical, hash) = ContentHash.Prepare(checkedTrace);
                whole.Add(canonical);
                hashes.Add(hash);
            }

            // A taxonomy defined by several files is taken from the first.
            return new ImportPart(outcomes, [.. taxonomiesOfSource.Where(t => taxonomies.Add(t.Name))], whole, parsed) { Hashes = hashes };
        }

        foreach (var item in discovery.Items)
        {
            var trace = item.Format.Read(item, baseFolder, FileParsed, warnings, limits);
            yield return Checked([], [], [trace]);
        }

        foreach (var file in discovery.Files)
        {
            var contents = file.Format.Read(file.FullPath, TraceDiscovery.Relative(baseFolder, file.FullPath), warnings, limits);
            FileParsed();
            yield return Checked(contents.Outcomes, contents.Taxonomies, contents.Traces);
        }
    }
}
