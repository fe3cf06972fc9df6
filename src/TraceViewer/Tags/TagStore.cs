using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Import;

namespace TraceViewer.Tags;

/// <summary>Finds taxonomies and tags by name, adding the ones that are missing, inside the caller's transaction.</summary>
internal static class TagStore
{
    /// <summary>
    /// The ids of the named tags of a taxonomy. A missing taxonomy is added (a built-in one whole, any other one empty,
    /// multi-choice); missing tags are added without colour or hotkey. Rows another writer adds meanwhile are taken,
    /// not duplicated (INSERT ... ON CONFLICT DO NOTHING), so this never aborts the caller's transaction.
    /// </summary>
    public static async Task<Dictionary<string, int>> EnsureTagsAsync(TraceViewerDbContext db, string taxonomy, IEnumerable<string> names, CancellationToken ct)
    {
        var taxonomyId = await EnsureTaxonomyAsync(db, taxonomy, ct);
        var wanted = names.Distinct(StringComparer.Ordinal).ToList();
        var known = await TagIdsAsync(db, taxonomyId, wanted, ct);
        var missing = wanted.Where(n => !known.ContainsKey(n)).Order(StringComparer.Ordinal).Select(n => new Tag { TaxonomyId = taxonomyId, Name = n }).ToList();
        if (missing.Count > 0)
        {
            await BulkInsert.InsertIgnoringConflictsAsync(db, missing, null, ct);
            known = await TagIdsAsync(db, taxonomyId, wanted, ct);
        }

        return known;
    }

    /// <summary>The taxonomy's id, adding it (a built-in one with its tags) when there is none of that name.</summary>
    public static async Task<int> EnsureTaxonomyAsync(TraceViewerDbContext db, string name, CancellationToken ct, Func<Taxonomy>? create = null)
    {
        if (await TaxonomyIdAsync(db, name, ct) is { } id)
        {
            return id;
        }

        var definition = BuiltInTaxonomies.All.FirstOrDefault(d => d.Name == name);
        var taxonomy = definition is null
            ? create?.Invoke() ?? new Taxonomy { Name = name, MultiChoice = true }
            : new Taxonomy { Name = name, Description = definition.Description, Version = definition.Version, MultiChoice = definition.MultiChoice, BuiltIn = true };
        taxonomy.Name = name;
        await BulkInsert.InsertIgnoringConflictsAsync(db, [taxonomy], null, ct);
        id = await TaxonomyIdAsync(db, name, ct) ?? throw new InvalidOperationException($"The taxonomy '{name}' could not be added.");
        if (definition is not null)
        {
            await BulkInsert.InsertIgnoringConflictsAsync(db,
                [.. definition.Tags.Select(t => new Tag { TaxonomyId = id, Name = t.Name, Colour = t.Colour, Description = t.Description, Hotkey = t.Hotkey })], null, ct);
        }

        return id;
    }

    /// <summary>Puts the named tags of a taxonomy on sentences for one annotator (adding missing tags); rows already there are left.</summary>
    public static async Task AddTagsAsync(
        TraceViewerDbContext db, string taxonomy, IReadOnlyCollection<(int SentenceId, string Tag)> tags, AnnotatorKind kind, string annotator, DateTimeOffset now, CancellationToken ct)
    {
        var ids = await EnsureTagsAsync(db, taxonomy, tags.Select(t => t.Tag), ct);
        await BulkInsert.InsertIgnoringConflictsAsync(db, [.. tags.Select(t => new SentenceTag
        {
            SentenceId = t.SentenceId, TagId = ids[t.Tag], AnnotatorKind = kind, Annotator = annotator, CreatedAt = now, UpdatedAt = now,
        })], null, ct);
    }

    public static Task<int?> TaxonomyIdAsync(TraceViewerDbContext db, string name, CancellationToken ct) =>
        db.Set<Taxonomy>().AsNoTracking().Where(t => t.Name == name).Select(t => (int?)t.Id).FirstOrDefaultAsync(ct);

    private static Task<Dictionary<string, int>> TagIdsAsync(TraceViewerDbContext db, int taxonomyId, List<string> names, CancellationToken ct) =>
        db.Set<Tag>().AsNoTracking()
            .Where(t => t.TaxonomyId == taxonomyId && names.Contains(t.Name))
            .ToDictionaryAsync(t => t.Name, t => t.Id, StringComparer.Ordinal, ct);

    /// <summary>
    /// The tags a sentence's imported function tags give, in order: empty names are dropped and a tag named twice counts
    /// once (a sentence carries a tag or not).
    /// </summary>
    public static IReadOnlyList<string> DistinctFunctionTags(IReadOnlyList<string>? names) =>
        names is null ? [] : [.. names.Where(t => t.Length > 0).Distinct(StringComparer.Ordinal)];

    /// <summary>Who an import's function tags are by: the dataset's source format, or "import" when it has none.</summary>
    public static string ImportAnnotator(string? sourceFormat) =>
        string.IsNullOrWhiteSpace(sourceFormat) ? BuiltInTaxonomies.DefaultImportAnnotator
        : sourceFormat.Length > TagLimits.MaxAnnotatorLength ? sourceFormat[..TagLimits.MaxAnnotatorLength] : sourceFormat;
}
