using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;
using TraceViewer.Import;
using TraceViewer.Traces;

namespace TraceViewer.Tags;

/// <summary>Who is tagging: a person (by user id; <see cref="BuiltInTaxonomies.LocalPerson"/> until there are accounts) or a model.</summary>
public sealed record TagAuthor(AnnotatorKind Kind, string Id)
{
    public static TagAuthor Person(string id) => new(AnnotatorKind.Person, id);
}

/// <summary>What one call changed; <see cref="ChangeId"/> is null when it changed nothing.</summary>
public sealed record TagChange(Guid? ChangeId, IReadOnlyList<TagEdit> Edits)
{
    public static TagChange None { get; } = new(null, []);
}

/// <summary>
/// Writes one annotator's tags: toggle tags on sentences, set or clear a note, undo the annotator's last change. Each
/// call is one transaction that writes an audit row per edit (state before and after) and touches only that
/// annotator's rows. Calls for the same annotator are serialised (SQLite's write lock; a transaction-scoped advisory
/// lock on PostgreSQL) and decided on what the previous one left, so concurrent calls end as if made one after the
/// other; the unique index on (sentence, tag, annotator kind, annotator) keeps rows single, and a call that loses a
/// race on it anyway is run again on the new state.
/// </summary>
internal sealed class TagWriter(TraceViewerDbContext db, TimeProvider time)
{
    public Task<TagChange> ToggleAsync(TagAuthor author, int taxonomyId, IReadOnlyList<int> tagIds, IReadOnlyList<int> sentenceIds, CancellationToken ct, Guid? changeId = null) =>
        RunAsync(author, changeId, async () =>
        {
            var taxonomy = await db.Set<Taxonomy>().AsNoTracking().Where(t => t.Id == taxonomyId).Select(t => new { t.Id, t.MultiChoice }).SingleOrDefaultAsync(ct)
                ?? throw new TagRuleException($"There is no taxonomy {taxonomyId}.");
            var tags = await db.Set<Tag>().AsNoTracking().Where(t => t.TaxonomyId == taxonomyId).ToDictionaryAsync(t => t.Id, t => t.Retired, ct);
            var sentences = sentenceIds.Distinct().ToList();
            await RequireSentencesAsync(sentences, ct);
            var ofTaxonomy = tags.Keys.ToList();
            var current = await Own(author)
                .Where(t => sentences.Contains(t.SentenceId) && ofTaxonomy.Contains(t.TagId))
                .Select(t => new TagState(t.SentenceId, t.TagId, t.Note))
                .ToListAsync(ct);
            return (TagRules.Toggle(new TaxonomyShape(taxonomy.Id, taxonomy.MultiChoice, tags), tagIds, sentences, current), (Guid?)null);
        }, ct);

    public Task<TagChange> SetNoteAsync(TagAuthor author, int sentenceId, int tagId, string? note, CancellationToken ct, Guid? changeId = null) =>
        RunAsync(author, changeId, async () =>
        {
            var current = await Own(author).Where(t => t.SentenceId == sentenceId && t.TagId == tagId)
                .Select(t => new TagState(t.SentenceId, t.TagId, t.Note))
                .SingleOrDefaultAsync(ct);
            return (TagRules.Note(sentenceId, tagId, note, current) is { } edit ? [edit] : (IReadOnlyList<TagEdit>)[], (Guid?)null);
        }, ct);

    /// <summary>Takes back the annotator's latest change that is not an undo and was not undone; again and again goes further back.</summary>
    public Task<TagChange> UndoAsync(TagAuthor author, CancellationToken ct, Guid? changeId = null) =>
        RunAsync(author, changeId, async () =>
        {
            var history = db.Set<TagAudit>().AsNoTracking().Where(a => a.AnnotatorKind == author.Kind && a.Annotator == author.Id);
            var last = await history.Where(a => !a.IsUndo && a.UndoneBy == null).OrderByDescending(a => a.Id).Select(a => (Guid?)a.ChangeId).FirstOrDefaultAsync(ct);
            if (last is not { } changeId)
            {
                return ([], null);
            }

            var rows = await history.Where(a => a.ChangeId == changeId).OrderBy(a => a.Id).ToListAsync(ct);
            // A sentence gone since (its trace imported again without it) has nothing left to restore.
            var ids = rows.Select(a => a.SentenceId).Distinct().ToList();
            var existing = await db.Set<Sentence>().Where(s => ids.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct);
            var change = rows.Where(a => existing.Contains(a.SentenceId))
                .Select(a => new TagEdit(a.SentenceId, a.TagId, a.Action, a.Before, a.After, a.NoteBefore, a.NoteAfter))
                .ToList();
            var tagIds = change.Select(e => e.TagId).Distinct().ToList();
            var current = await Own(author).Where(t => existing.Contains(t.SentenceId) && tagIds.Contains(t.TagId))
                .Select(t => new TagState(t.SentenceId, t.TagId, t.Note))
                .ToListAsync(ct);
            return (TagRules.Undo(change, current), changeId);
        }, ct);

    private IQueryable<SentenceTag> Own(TagAuthor author) =>
        db.Set<SentenceTag>().AsNoTracking().Where(t => t.AnnotatorKind == author.Kind && t.Annotator == author.Id);

    private async Task RequireSentencesAsync(List<int> sentences, CancellationToken ct)
    {
        var found = await db.Set<Sentence>().Where(s => sentences.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct);
        if (found.Count != sentences.Count)
        {
            throw new TagRuleException($"There is no sentence {string.Join(", ", sentences.Except(found))}.");
        }
    }

    /// <param name="requested">
    /// The change id the caller chose, so a request sent again (its answer was lost) is applied once: a change of this
    /// annotator already stored under it (or an undo marked with it) makes the call return without writing.
    /// </param>
    private Task<TagChange> RunAsync(TagAuthor author, Guid? requested, Func<Task<(IReadOnlyList<TagEdit> Edits, Guid? Undoing)>> decide, CancellationToken ct)
    {
        if (!Enum.IsDefined(author.Kind) || string.IsNullOrWhiteSpace(author.Id) || author.Id.Length > TagLimits.MaxAnnotatorLength)
        {
            throw new TagRuleException($"An annotator is a kind and an id of 1 to {TagLimits.MaxAnnotatorLength} characters.");
        }

        return UniqueRetry.RunAsync(db, async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await LockAsync(author, ct);
            if (requested is { } id && await db.Set<TagAudit>().AnyAsync(
                    a => a.AnnotatorKind == author.Kind && a.Annotator == author.Id && (a.ChangeId == id || a.UndoneBy == id), ct))
            {
                return new TagChange(id, []);
            }

            var (edits, undoing) = await decide();
            if (edits.Count == 0 && undoing is null)
            {
                return TagChange.None;
            }

            var changeId = requested ?? Guid.NewGuid();
            var now = time.GetUtcNow();
            foreach (var edit in edits)
            {
                await ApplyAsync(author, edit, now, ct);
                db.Add(new TagAudit
                {
                    ChangeId = changeId, AnnotatorKind = author.Kind, Annotator = author.Id, At = now, SentenceId = edit.SentenceId, TagId = edit.TagId,
                    Action = edit.Action, Before = edit.Before, After = edit.After, NoteBefore = edit.NoteBefore, NoteAfter = edit.NoteAfter,
                    IsUndo = undoing is not null,
                });
            }

            if (undoing is { } undone)
            {
                // Marked even when nothing needed restoring, so the next undo goes further back.
                var marked = await db.Set<TagAudit>().Where(a => a.ChangeId == undone && a.UndoneBy == null)
                    .ExecuteUpdateAsync(u => u.SetProperty(a => a.UndoneBy, changeId), ct);
                if (marked == 0)
                {
                    throw new WriteConflictException($"Change {undone} was undone meanwhile.");
                }
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            db.ChangeTracker.Clear();
            return new TagChange(changeId, edits);
        }, ct);
    }

    private async Task ApplyAsync(TagAuthor author, TagEdit edit, DateTimeOffset now, CancellationToken ct)
    {
        var mine = db.Set<SentenceTag>().Where(t => t.SentenceId == edit.SentenceId && t.TagId == edit.TagId && t.AnnotatorKind == author.Kind && t.Annotator == author.Id);
        var done = edit.Action switch
        {
            TagAction.Add => (await BulkInsert.InsertIgnoringConflictsAsync(db,
                [new SentenceTag
                {
                    SentenceId = edit.SentenceId, TagId = edit.TagId, AnnotatorKind = author.Kind, Annotator = author.Id, Note = edit.NoteAfter,
                    CreatedAt = now, UpdatedAt = now,
                }], null, ct)).Count,
            TagAction.Remove => await mine.ExecuteDeleteAsync(ct),
            _ => await mine.Where(t => t.Note == edit.NoteBefore).ExecuteUpdateAsync(u => u.SetProperty(t => t.Note, edit.NoteAfter).SetProperty(t => t.UpdatedAt, now), ct),
        };
        if (done != 1)
        {
            throw new WriteConflictException($"Tag {edit.TagId} on sentence {edit.SentenceId} changed meanwhile.");
        }
    }

    /// <summary>One annotator's calls one at a time. SQLite's transactions already take the write lock when they begin.</summary>
    private async Task LockAsync(TagAuthor author, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            var key = $"tags:{author.Kind}:{author.Id}";
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", ct);
        }
    }
}
