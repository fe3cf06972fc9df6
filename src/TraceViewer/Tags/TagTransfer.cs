using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Import;
using TraceViewer.Traces;

namespace TraceViewer.Tags;

/// <summary>
/// Tags and notes to and from tag files (CSV or JSONL). An import matches each row's sentence by dataset key, trace
/// key and sentence index and refuses a row whose sentence text differs; it checks every row before it writes any and
/// writes them in one transaction, and importing the same file again changes nothing.
/// </summary>
internal sealed class TagTransfer(TraceViewerDbContext db, TimeProvider time, IOptions<ImportOptions> options)
{
    /// <param name="datasetKey">Only this dataset's traces.</param>
    /// <param name="taxonomy">Only this taxonomy's tags.</param>
    /// <returns>The number of rows written.</returns>
    public async Task<int> ExportAsync(TextWriter writer, TagFileFormat format, string? datasetKey, string? taxonomy, CancellationToken ct)
    {
        if (datasetKey is not null && !await db.Set<Dataset>().AnyAsync(d => d.Key == datasetKey, ct))
        {
            throw new InvalidOperationException($"There is no dataset with key '{datasetKey}'.");
        }

        if (taxonomy is not null && !await db.Set<Taxonomy>().AnyAsync(t => t.Name == taxonomy, ct))
        {
            throw new InvalidOperationException($"There is no taxonomy named '{taxonomy}'.");
        }

        var rows = await (
            from st in db.Set<SentenceTag>().AsNoTracking()
            join s in db.Set<Sentence>() on st.SentenceId equals s.Id
            join tr in db.Set<Trace>() on s.TraceId equals tr.Id
            join d in db.Set<Dataset>() on tr.DatasetId equals d.Id
            join t in db.Set<Tag>() on st.TagId equals t.Id
            join x in db.Set<Taxonomy>() on t.TaxonomyId equals x.Id
            where (datasetKey == null || d.Key == datasetKey) && (taxonomy == null || x.Name == taxonomy)
            orderby d.Id, tr.Id, s.Index, x.Id, st.Id
            select new TagRow(d.Key, tr.ExternalKey, s.Index, s.Text, x.Name, t.Name, st.AnnotatorKind, st.Annotator, st.UpdatedAt, st.Note))
            .ToListAsync(ct);
        TagFile.Write(writer, format, rows);
        return rows.Count;
    }

    /// <exception cref="ImportException">A row is malformed or does not match the database; nothing was written.</exception>
    public async Task<TagImportSummary> ImportAsync(string path, CancellationToken ct, string? displayName = null)
    {
        var name = displayName ?? Path.GetFileName(path);
        var format = TagFile.FormatOf(path) ?? throw new ImportException(name, null, null, "a tag file ends in .csv or .jsonl");
        var rows = TagFile.Read(Path.GetFullPath(path), name, format, options.Value);
        var (resolved, warnings) = await ResolveAsync(rows, name, ct);
        var counts = await UniqueRetry.RunAsync(db, async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var written = await TagImportWriter.WriteAsync(db, resolved, time.GetUtcNow(), ct);
            await transaction.CommitAsync(ct);
            return written;
        }, ct);
        return new TagImportSummary(counts.Added, counts.Updated, counts.Unchanged, warnings);
    }

    private async Task<(List<TagImportWriter.Resolved> Rows, List<string> Warnings)> ResolveAsync(List<TagFileRow> rows, string file, CancellationToken ct)
    {
        var traceKeys = rows.Select(r => (r.Row.Dataset, r.Row.Trace)).Distinct().ToList();
        var datasetKeys = traceKeys.Select(k => k.Dataset).Distinct().ToList();
        var traces = (await db.Set<Trace>().AsNoTracking()
                .Join(db.Set<Dataset>().Where(d => datasetKeys.Contains(d.Key)), t => t.DatasetId, d => d.Id, (t, d) => new { t.Id, t.ExternalKey, DatasetKey = d.Key })
                .ToListAsync(ct))
            .Where(t => traceKeys.Contains((t.DatasetKey, t.ExternalKey)))
            .ToDictionary(t => (t.DatasetKey, t.ExternalKey), t => t.Id);
        var traceIds = traces.Values.ToList();
        var sentences = new Dictionary<(int, int), (int Id, string Text)>();
        foreach (var chunk in traceIds.Chunk(500))
        {
            foreach (var s in await db.Set<Sentence>().AsNoTracking().Where(s => chunk.Contains(s.TraceId)).Select(s => new { s.Id, s.TraceId, s.Index, s.Text }).ToListAsync(ct))
            {
                sentences[(s.TraceId, s.Index)] = (s.Id, s.Text);
            }
        }

        var resolved = new List<TagImportWriter.Resolved>(rows.Count);
        var seen = new Dictionary<(int, string, string, AnnotatorKind, string), long>();
        foreach (var (line, row) in rows)
        {
            ImportException Error(string field, string detail) => new(file, field, line, detail);
            if (!traces.TryGetValue((row.Dataset, row.Trace), out var traceId))
            {
                throw Error("trace", $"there is no trace '{TagFile.Shorten(row.Trace)}' in dataset '{TagFile.Shorten(row.Dataset)}'");
            }

            if (!sentences.TryGetValue((traceId, row.Sentence), out var sentence))
            {
                throw Error("sentence", $"trace '{TagFile.Shorten(row.Trace)}' has no sentence {row.Sentence}");
            }

            if (row.Text is { } text && text != sentence.Text)
            {
                throw Error("text", $"does not match sentence {row.Sentence} of trace '{TagFile.Shorten(row.Trace)}': the file has \"{TagFile.Shorten(text)}\", "
                    + $"the database \"{TagFile.Shorten(sentence.Text)}\"");
            }

            if (seen.TryGetValue((sentence.Id, row.Taxonomy, row.Tag, row.AnnotatorKind, row.Annotator), out var earlier))
            {
                throw Error("tag", $"the same tag by the same annotator is on this sentence on line {earlier} already");
            }

            seen[(sentence.Id, row.Taxonomy, row.Tag, row.AnnotatorKind, row.Annotator)] = line;
            resolved.Add(new TagImportWriter.Resolved(sentence.Id, new ImportedSentenceTag(
                row.Sentence, row.Taxonomy, row.Tag, row.AnnotatorKind, row.Annotator, row.Note, row.Time, row.Time)));
        }

        var warnings = new List<string>();
        var taxonomies = rows.Select(r => r.Row.Taxonomy).Distinct(StringComparer.Ordinal).ToList();
        var known = await db.Set<Taxonomy>().AsNoTracking().Where(t => taxonomies.Contains(t.Name)).Select(t => t.Name).ToListAsync(ct);
        foreach (var missing in taxonomies.Except(known, StringComparer.Ordinal))
        {
            warnings.Add($"{file}: taxonomy '{missing}' is not in the database; it is added (multi-choice) with the file's tags");
        }

        var knownTags = await db.Set<Tag>().AsNoTracking().Where(t => taxonomies.Contains(t.Taxonomy!.Name)).Select(t => new { Taxonomy = t.Taxonomy!.Name, t.Name }).ToListAsync(ct);
        foreach (var tag in rows.Select(r => (r.Row.Taxonomy, r.Row.Tag)).Distinct().Where(k => known.Contains(k.Taxonomy) && !knownTags.Any(t => t.Taxonomy == k.Taxonomy && t.Name == k.Tag)))
        {
            warnings.Add($"{file}: tag '{tag.Tag}' is not in taxonomy '{tag.Taxonomy}'; it is added");
        }

        return (resolved, warnings);
    }

    /// <summary>The text written to a file, for the command line.</summary>
    public static StreamWriter OpenWriter(Stream stream) => new(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
}
