using Microsoft.EntityFrameworkCore;
using TraceViewer.Components;
using TraceViewer.Data;
using TraceViewer.Traces;

namespace TraceViewer.Tags;

/// <summary>
/// The one way pages, search and exports read tags: rows of <see cref="SentenceTag"/> with their tag and taxonomy,
/// in the order they were put on (row id), so an import's first function tag stays first.
/// </summary>
internal static class TagReads
{
    /// <summary>Every tag on the trace's sentences, by sentence index.</summary>
    public static async Task<Dictionary<int, List<SentenceTagView>>> ForTraceAsync(TraceViewerDbContext db, int traceId, CancellationToken ct)
    {
        var rows = await (
            from st in db.Set<SentenceTag>().AsNoTracking()
            join s in db.Set<Sentence>() on st.SentenceId equals s.Id
            where s.TraceId == traceId
            join t in db.Set<Tag>() on st.TagId equals t.Id
            join x in db.Set<Taxonomy>() on t.TaxonomyId equals x.Id
            orderby s.Index, st.Id
            select new { Key = s.Index, Taxonomy = x.Name, t.Name, t.Colour, st.AnnotatorKind, st.Annotator, st.Note })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Select(r => View(r.Taxonomy, r.Name, r.Colour, r.AnnotatorKind, r.Annotator, r.Note)).ToList());
    }

    /// <summary>
    /// The trace's tags in the workbench's everyone's and consensus layers, per taxonomy that has tags on it (in taxonomy
    /// order), as a reader who gave none sees them; the same rows and layer rule as the trace page's workbench.
    /// </summary>
    public static async Task<IReadOnlyList<TraceTagLayers>> LayersAsync(TraceViewerDbContext db, int traceId, CancellationToken ct)
    {
        var rows = await TagDesk.RowsAsync(db, traceId, ct);
        if (rows.Count == 0)
        {
            return [];
        }

        var used = rows.Select(r => r.TagId).ToHashSet();
        var usedIds = used.ToList();
        var taxonomies = await db.Set<Taxonomy>().AsNoTracking().Include(x => x.Tags)
            .Where(x => x.Tags.Any(t => usedIds.Contains(t.Id)))
            .OrderBy(x => x.Id)
            .ToListAsync(ct);
        // Nobody: no tag is the viewer's, so every layer shows the others' tags with their counts and annotators.
        var reader = new TagAuthor(AnnotatorKind.Person, "");
        return [.. taxonomies.Select(x =>
        {
            var taxonomy = new WorkbenchTaxonomy(x.Id, x.Name, x.MultiChoice,
                [.. x.Tags.Where(t => used.Contains(t.Id) || (!t.Retired && t.Hotkey is not null))
                    .OrderBy(t => t.Hotkey ?? 10).ThenBy(t => t.Name, StringComparer.Ordinal)
                    .Select(t => new WorkbenchTag(t.Id, t.Name, ProductColors.ForTag(t.Name, t.Colour).Hex, t.Hotkey, t.Description))]);
            return new TraceTagLayers(taxonomy,
                TagLayers.Show(rows, taxonomy, reader, TagLayer.Everyone, hideOthers: false),
                TagLayers.Show(rows, taxonomy, reader, TagLayer.Consensus, hideOthers: false));
        })];
    }

    /// <summary>Every tag on the given sentences, by sentence id.</summary>
    public static async Task<Dictionary<int, List<SentenceTagView>>> ForSentencesAsync(TraceViewerDbContext db, IReadOnlyCollection<int> sentenceIds, CancellationToken ct)
    {
        if (sentenceIds.Count == 0)
        {
            return [];
        }

        var ids = sentenceIds.Distinct().ToList();
        var rows = await (
            from st in db.Set<SentenceTag>().AsNoTracking()
            where ids.Contains(st.SentenceId)
            join t in db.Set<Tag>() on st.TagId equals t.Id
            join x in db.Set<Taxonomy>() on t.TaxonomyId equals x.Id
            orderby st.SentenceId, st.Id
            select new { Key = st.SentenceId, Taxonomy = x.Name, t.Name, t.Colour, st.AnnotatorKind, st.Annotator, st.Note })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Select(r => View(r.Taxonomy, r.Name, r.Colour, r.AnnotatorKind, r.Annotator, r.Note)).ToList());
    }

    /// <summary>Sentences that carry a tag of this name (any taxonomy, any annotator; letter case ignored).</summary>
    public static IQueryable<Sentence> CarryingTag(TraceViewerDbContext db, IQueryable<Sentence> sentences, string name)
    {
        var lower = name.Trim().ToLowerInvariant();
        // Lowered on both sides in SQL: EF cannot translate string.Equals with a StringComparison.
#pragma warning disable CA1862
        var tagIds = db.Set<Tag>().Where(t => t.Name.ToLower() == lower).Select(t => t.Id);
#pragma warning restore CA1862
        return sentences.Where(s => db.Set<SentenceTag>().Any(st => st.SentenceId == s.Id && tagIds.Contains(st.TagId)));
    }

    /// <summary>The names of the tags that some sentence carries, in ordinal order.</summary>
    public static async Task<List<string>> NamesInUseAsync(TraceViewerDbContext db, CancellationToken ct)
    {
        var names = await db.Set<Tag>().AsNoTracking()
            .Where(t => db.Set<SentenceTag>().Any(st => st.TagId == t.Id))
            .Select(t => t.Name)
            .Distinct()
            .ToListAsync(ct);
        return [.. names.Order(StringComparer.Ordinal)];
    }

    public static SentenceTagView View(string taxonomy, string name, string? colour, AnnotatorKind kind, string annotator, string? note) =>
        new(taxonomy, name, ProductColors.ForTag(name, colour).Hex, kind, annotator, note);

    /// <summary>The tag whose colour marks a sentence on the trace page: its first function tag.</summary>
    public static SentenceTagView? Marking(IReadOnlyList<SentenceTagView> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Taxonomy == BuiltInTaxonomies.Functions)
            {
                return tag;
            }
        }

        return null;
    }
}
