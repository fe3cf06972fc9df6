using Microsoft.EntityFrameworkCore;
using TraceViewer.Components;
using TraceViewer.Data;
using TraceViewer.Import;

namespace TraceViewer.Tags;

/// <summary>
/// Writes imported tags inside the caller's transaction. Idempotent: a row that is there already is left alone unless
/// the imported one is newer and its note differs (then the note and time are taken); rows are never removed.
/// </summary>
internal static class TagImportWriter
{
    /// <summary>A row to write, with the id of the sentence it was matched to.</summary>
    public sealed record Resolved(int SentenceId, ImportedSentenceTag Row);

    /// <summary>
    /// Adds the taxonomies and tags a file defines that the database lacks (with the file's colours, descriptions and
    /// free hotkeys); existing ones are not changed.
    /// </summary>
    public static async Task EnsureTaxonomiesAsync(TraceViewerDbContext db, IReadOnlyList<ImportedTaxonomy> taxonomies, CancellationToken ct)
    {
        foreach (var taxonomy in taxonomies)
        {
            var id = await TagStore.EnsureTaxonomyAsync(db, taxonomy.Name, ct, () => new Taxonomy
            {
                Name = taxonomy.Name, Description = taxonomy.Description, Version = taxonomy.Version, MultiChoice = taxonomy.MultiChoice,
            });
            var existing = await db.Set<Tag>().AsNoTracking().Where(t => t.TaxonomyId == id).Select(t => new { t.Name, t.Hotkey }).ToListAsync(ct);
            var names = existing.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var keys = existing.Where(t => t.Hotkey is not null).Select(t => t.Hotkey!.Value).ToHashSet();
            var added = new List<Tag>();
            foreach (var tag in taxonomy.Tags.Where(t => names.Add(t.Name)))
            {
                added.Add(new Tag
                {
                    TaxonomyId = id,
                    Name = tag.Name,
                    Colour = ProductColors.TryParseHex(tag.Colour, out var rgb) ? rgb.Hex : null,
                    Description = tag.Description,
                    Hotkey = tag.Hotkey is { } key and >= 1 and <= 9 && keys.Add(key) ? key : null,
                    Retired = tag.Retired,
                });
            }

            await BulkInsert.InsertIgnoringConflictsAsync(db, added, null, ct);
        }
    }

    public static async Task<(int Added, int Updated, int Unchanged)> WriteAsync(TraceViewerDbContext db, IReadOnlyList<Resolved> rows, DateTimeOffset now, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return (0, 0, 0);
        }

        var tagIds = new Dictionary<(string Taxonomy, string Tag), int>();
        foreach (var group in rows.GroupBy(r => r.Row.Taxonomy, StringComparer.Ordinal))
        {
            var ids = await TagStore.EnsureTagsAsync(db, group.Key, group.Select(r => r.Row.Tag), ct);
            foreach (var (name, id) in ids)
            {
                tagIds[(group.Key, name)] = id;
            }
        }

        var sentenceIds = rows.Select(r => r.SentenceId).Distinct().ToList();
        var stored = new Dictionary<(int, int, AnnotatorKind, string), (long Id, string? Note, DateTimeOffset UpdatedAt)>();
        foreach (var chunk in sentenceIds.Chunk(1000))
        {
            var existing = await db.Set<SentenceTag>().AsNoTracking().Where(t => chunk.Contains(t.SentenceId))
                .Select(t => new { t.Id, t.SentenceId, t.TagId, t.AnnotatorKind, t.Annotator, t.Note, t.UpdatedAt })
                .ToListAsync(ct);
            foreach (var t in existing)
            {
                stored[(t.SentenceId, t.TagId, t.AnnotatorKind, t.Annotator)] = (t.Id, t.Note, t.UpdatedAt);
            }
        }

        var inserts = new List<SentenceTag>();
        int updated = 0, unchanged = 0;
        foreach (var (sentenceId, row) in rows)
        {
            var tagId = tagIds[(row.Taxonomy, row.Tag)];
            var updatedAt = row.UpdatedAt ?? now;
            if (!stored.TryGetValue((sentenceId, tagId, row.AnnotatorKind, row.Annotator), out var current))
            {
                inserts.Add(new SentenceTag
                {
                    SentenceId = sentenceId, TagId = tagId, AnnotatorKind = row.AnnotatorKind, Annotator = row.Annotator, Note = row.Note,
                    CreatedAt = row.CreatedAt ?? updatedAt, UpdatedAt = updatedAt,
                });
            }
            else if (current.Note != row.Note && updatedAt > current.UpdatedAt)
            {
                await db.Set<SentenceTag>().Where(t => t.Id == current.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(t => t.Note, row.Note).SetProperty(t => t.UpdatedAt, updatedAt), ct);
                updated++;
            }
            else
            {
                unchanged++;
            }
        }

        var added = (await BulkInsert.InsertIgnoringConflictsAsync(db, inserts, null, ct)).Count;
        return (added, updated, unchanged + inserts.Count - added);
    }
}
