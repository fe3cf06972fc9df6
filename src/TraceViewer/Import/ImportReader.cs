namespace TraceViewer.Import;

/// <summary>Parses everything below an import root into memory; nothing touches the database here.</summary>
internal static class ImportReader
{
    public static ImportBatch ReadAll(string root, bool namesAboveRoot, ImportOptions limits, IProgress<ImportProgress>? progress, CancellationToken ct, string? rootName = null)
    {
        var discovery = TraceDiscovery.Discover(root, namesAboveRoot, rootName, limits);
        var fullRoot = Path.GetFullPath(root);
        var baseFolder = File.Exists(fullRoot) ? Path.GetDirectoryName(fullRoot)! : fullRoot;
        var warnings = new List<string>(discovery.Warnings);
        var outcomes = new List<ImportedOutcome>();
        var taxonomies = new List<Tags.ImportedTaxonomy>();
        var traces = new List<ImportedTrace>();
        var parsed = 0;
        void FileParsed()
        {
            ct.ThrowIfCancellationRequested();
            progress?.Report(new ImportProgress(++parsed, discovery.FileCount, 0, 0));
        }

        foreach (var item in discovery.Items)
        {
            traces.Add(ThoughtAnchorsReader.Read(item, baseFolder, FileParsed, warnings, limits));
        }

        foreach (var file in discovery.NativeFiles)
        {
            var contents = NativeJsonlReader.Read(file, TraceDiscovery.Relative(baseFolder, file), warnings, limits);
            outcomes.AddRange(contents.Outcomes);
            traces.AddRange(contents.Traces);
            taxonomies.AddRange(contents.Taxonomies.Where(t => !taxonomies.Any(known => known.Name == t.Name)));
            FileParsed();
        }

        foreach (var file in discovery.ResultFiles)
        {
            traces.AddRange(AlignmentFaking.HughesImport.Read(file, TraceDiscovery.Relative(baseFolder, file), warnings, limits));
            FileParsed();
        }

        // Whatever a reader let through, nothing the database would refuse halfway through the write gets past here.
        for (var i = 0; i < traces.Count; i++)
        {
            traces[i] = ImportChecks.Whole(traces[i], limits, out _);
        }

        var duplicate = traces.GroupBy(t => (t.Dataset.Key, t.ExternalKey)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ImportException(duplicate.Last().SourcePath ?? duplicate.Key.ExternalKey, null, null,
                $"two sources give the same trace '{duplicate.Key.ExternalKey}' of dataset '{duplicate.Key.Key}': "
                + string.Join(" and ", duplicate.Select(t => t.SourcePath)));
        }

        return new ImportBatch(outcomes, traces, warnings, parsed) { Taxonomies = taxonomies };
    }
}
