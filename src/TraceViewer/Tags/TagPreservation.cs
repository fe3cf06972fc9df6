using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Import;
using TraceViewer.Traces;

namespace TraceViewer.Tags;

/// <summary>
/// Keeps people's and models' tags when a changed trace is imported again. The import replaces the trace's sentence
/// rows; the tags that did not come from its source are read first and put back on the new row of the same index when
/// the sentence's text is unchanged (a tag on a sentence whose text changed no longer says anything about it and is
/// dropped, with a warning). The tag history follows the sentences by index.
/// </summary>
internal sealed class TagPreservation
{
    private readonly List<Kept> _tags;
    private readonly List<(int Id, int Index)> _audited;

    private TagPreservation(List<Kept> tags, List<(int Id, int Index)> audited)
    {
        _tags = tags;
        _audited = audited;
    }

    private sealed record Kept(long Id, int Index, string Text, int TagId, AnnotatorKind AnnotatorKind, string Annotator, string? Note, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    /// <param name="importAnnotator">Who the trace's own function tags are by; those come back from the source and are not kept.</param>
    public static async Task<TagPreservation> CaptureAsync(TraceViewerDbContext db, int traceId, string importAnnotator, CancellationToken ct)
    {
        var functions = await TagStore.TaxonomyIdAsync(db, BuiltInTaxonomies.Functions, ct) ?? -1;
        var tags = await (
            from st in db.Set<SentenceTag>().AsNoTracking()
            join s in db.Set<Sentence>() on st.SentenceId equals s.Id
            where s.TraceId == traceId
            join t in db.Set<Tag>() on st.TagId equals t.Id
            where !(st.AnnotatorKind == AnnotatorKind.Import && st.Annotator == importAnnotator && t.TaxonomyId == functions)
            orderby st.Id
            select new Kept(st.Id, s.Index, s.Text, st.TagId, st.AnnotatorKind, st.Annotator, st.Note, st.CreatedAt, st.UpdatedAt))
            .ToListAsync(ct);
        var audited = await (
            from s in db.Set<Sentence>().AsNoTracking()
            where s.TraceId == traceId && db.Set<TagAudit>().Any(a => a.SentenceId == s.Id)
            select new { s.Id, s.Index })
            .ToListAsync(ct);
        return new TagPreservation(tags, audited.ConvertAll(a => (a.Id, a.Index)));
    }

    /// <summary>Puts the kept tags on the trace's new sentence rows; returns how many were dropped because their sentence changed or went.</summary>
    public async Task<int> RestoreAsync(TraceViewerDbContext db, int traceId, CancellationToken ct)
    {
        if (_tags.Count == 0 && _audited.Count == 0)
        {
            return 0;
        }

        var sentences = await db.Set<Sentence>().AsNoTracking().Where(s => s.TraceId == traceId)
            .Select(s => new { s.Id, s.Index, s.Text })
            .ToDictionaryAsync(s => s.Index, ct);
        var restored = _tags
            .Where(k => sentences.TryGetValue(k.Index, out var s) && s.Text == k.Text)
            .Select(k => new SentenceTag
            {
                SentenceId = sentences[k.Index].Id, TagId = k.TagId, AnnotatorKind = k.AnnotatorKind, Annotator = k.Annotator,
                Note = k.Note, CreatedAt = k.CreatedAt, UpdatedAt = k.UpdatedAt,
            })
            .ToList();
        await BulkInsert.InsertAsync(db, restored, null, ct);
        foreach (var (oldId, index) in _audited)
        {
            if (sentences.TryGetValue(index, out var now))
            {
                await db.Set<TagAudit>().Where(a => a.SentenceId == oldId).ExecuteUpdateAsync(u => u.SetProperty(a => a.SentenceId, now.Id), ct);
            }
        }

        return _tags.Count - restored.Count;
    }
}
