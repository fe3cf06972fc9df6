using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Accounts;
using TraceViewer.Components;
using TraceViewer.Data;
using TraceViewer.Import;
using TraceViewer.Traces;

namespace TraceViewer.Tags;

/// <summary>
/// One key press of the tagging workbench as the browser sends it: <see cref="Kind"/> is <c>toggle</c> (the tag on
/// key <see cref="Key"/> of the taxonomy, on sentences <see cref="From"/> to <see cref="To"/> by index), <c>note</c>
/// (<see cref="Note"/> on the viewer's tag <see cref="TagId"/> of sentence <see cref="From"/>) or <c>undo</c>. The
/// browser picks <see cref="Id"/>, and it becomes the change id, so a key sent again is applied once.
/// <see cref="Owner"/> is the annotator who typed it (kept with the press in the browser's outbox): a press is saved only
/// as that annotator, so a press left behind on a shared browser is never saved as whoever signs in next.
/// </summary>
public sealed record TagKeystroke(Guid Id, string Kind, int TraceId, int TaxonomyId, int Key, int From, int To, int? TagId, string? Note, string? Owner = null);

/// <summary>What became of a key press: <c>saved</c> (committed, or already committed before), <c>refused</c> (never will be) or <c>failed</c> (send it again).</summary>
public sealed record KeystrokeResult(
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("sentences")] IReadOnlyList<int> Sentences)
{
    public const string Saved = "saved";
    public const string Refused = "refused";
    public const string Failed = "failed";
}

/// <summary>What the workbench needs of a trace: the taxonomies on offer, every annotator's tags, and whether the viewer submitted the trace.</summary>
internal sealed record WorkbenchData(
    IReadOnlyList<WorkbenchTaxonomy> Taxonomies, IReadOnlyList<WorkbenchTagRow> Rows, bool Submitted, long LatestAudit, IReadOnlyDictionary<int, TagName> Names)
{
    /// <summary>The trace's sentences with the tags of <paramref name="rows"/> (in row order), as the rest of the page shows them.</summary>
    public IReadOnlyList<SentenceView> WithTags(IReadOnlyList<SentenceView> sentences, IReadOnlyList<WorkbenchTagRow> rows)
    {
        var bySentence = rows.Where(r => Names.ContainsKey(r.TagId)).OrderBy(r => r.Id).GroupBy(r => r.SentenceIndex)
            .ToDictionary(g => g.Key, g => g.Select(View).ToList());
        // A sentence whose tags are as they were stays the same object, so only the sentences that changed render again.
        return [.. sentences.Select(s => bySentence.TryGetValue(s.Index, out var tags)
            ? s.Tags.SequenceEqual(tags) ? s : s with { Tags = tags }
            : s.Tags.Count == 0 ? s : s with { Tags = [] })];
    }

    private SentenceTagView View(WorkbenchTagRow row)
    {
        var name = Names[row.TagId];
        return TagReads.View(name.Taxonomy, name.Name, name.Colour, row.Kind, row.Annotator, row.Note);
    }
}

/// <summary>A tag's taxonomy, name and stored colour, for showing a row.</summary>
internal sealed record TagName(string Taxonomy, string Name, string? Colour);

/// <summary>
/// Tells the workbenches open in this process that a trace's tags changed, so every circuit on it reads them again.
/// Other instances' changes are found by <see cref="TagDesk.LatestAuditAsync"/> on an interval.
/// </summary>
internal sealed class TagNotifier
{
    /// <summary>The trace whose tags changed and the desk (circuit) that changed them, which has read them already.</summary>
    public event Action<int, object>? Changed;

    public void Publish(int traceId, object source) => Changed?.Invoke(traceId, source);
}

/// <summary>
/// The server side of the tagging workbench for one circuit: reads a trace's tags by layer and applies key presses
/// through <see cref="TagWriter"/>, each in its own scope and transaction. Every write checks the annotate policy
/// at that moment (<see cref="IAccess.AllowsAsync"/>), whatever the page showed.
/// </summary>
internal sealed partial class TagDesk(IServiceScopeFactory scopes, IAccess access, TagNotifier notifier, ILogger<TagDesk> log)
{
    /// <summary>The viewer as an annotator: the local owner is <c>local</c>, a person their user id.</summary>
    public async Task<TagAuthor> AuthorAsync() => Author(await access.UserAsync());

    public static TagAuthor Author(ClaimsPrincipal user) =>
        LocalOwner.Is(user) ? TagAuthor.Person(BuiltInTaxonomies.LocalPerson)
        : TagAuthor.Person(user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? user.Identity?.Name ?? "anonymous");

    public Task<bool> MayTagAsync() => access.ShowsAsync(AccessPolicies.Annotate);

    public async Task<WorkbenchData> LoadAsync(int traceId, TagAuthor viewer, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        var taxonomies = await db.Set<Taxonomy>().AsNoTracking().Include(t => t.Tags).OrderBy(t => t.Id).ToListAsync(ct);
        var offered = taxonomies.Select(x => new WorkbenchTaxonomy(x.Id, x.Name, x.MultiChoice,
            [.. x.Tags.Where(t => !t.Retired && t.Hotkey is not null).OrderBy(t => t.Hotkey)
                .Select(t => new WorkbenchTag(t.Id, t.Name, ProductColors.ForTag(t.Name, t.Colour).Hex, t.Hotkey, t.Description))]))
            .Where(x => x.Tags.Count > 0)
            .ToList();
        var latest = await LatestAsync(db, ct);
        var rows = await RowsAsync(db, traceId, ct);
        var submitted = await db.Set<TagSubmission>().AnyAsync(s => s.TraceId == traceId && s.AnnotatorKind == viewer.Kind && s.Annotator == viewer.Id, ct);
        var names = taxonomies.SelectMany(x => x.Tags.Select(t => (t.Id, Name: new TagName(x.Name, t.Name, t.Colour)))).ToDictionary(t => t.Id, t => t.Name);
        return new WorkbenchData(offered, rows, submitted, latest, names);
    }

    /// <summary>Every annotator's tags on the trace, with the id of the latest audit row read alongside.</summary>
    public async Task<(IReadOnlyList<WorkbenchTagRow> Rows, long LatestAudit)> RowsAsync(int traceId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        var latest = await LatestAsync(db, ct);
        return (await RowsAsync(db, traceId, ct), latest);
    }

    /// <summary>The id of the newest audit row: when it moves, some tag changed (in this instance or another).</summary>
    public async Task<long> LatestAuditAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await LatestAsync(scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>(), ct);
    }

    private static async Task<long> LatestAsync(TraceViewerDbContext db, CancellationToken ct) =>
        await db.Set<TagAudit>().MaxAsync(a => (long?)a.Id, ct) ?? 0;

    internal static async Task<List<WorkbenchTagRow>> RowsAsync(TraceViewerDbContext db, int traceId, CancellationToken ct) =>
        await (
            from st in db.Set<SentenceTag>().AsNoTracking()
            join s in db.Set<Sentence>() on st.SentenceId equals s.Id
            where s.TraceId == traceId
            orderby s.Index, st.Id
            select new WorkbenchTagRow(st.Id, s.Index, st.TagId, st.AnnotatorKind, st.Annotator, st.Note))
            .ToListAsync(ct);

    /// <summary>Applies one key press in its own transaction. Never throws for a database fault: that is <c>failed</c>, to be sent again.</summary>
    public async Task<KeystrokeResult> ApplyAsync(TagKeystroke key, CancellationToken ct)
    {
        try
        {
            if (!await access.AllowsAsync(AccessPolicies.Annotate))
            {
                return new KeystrokeResult(KeystrokeResult.Refused, "Your role does not allow tagging (annotator or above).", []);
            }

            var author = await AuthorAsync();
            if (key.Owner is { } owner && owner != author.Id)
            {
                return new KeystrokeResult(KeystrokeResult.Refused, "This change was typed by another account; it is not saved as yours.", []);
            }

            await using var scope = scopes.CreateAsyncScope();
            if (await WorkspaceRefusalAsync(scope, key.TraceId, ct) is { } refusal)
            {
                return new KeystrokeResult(KeystrokeResult.Refused, refusal, []);
            }

            var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
            var writer = scope.ServiceProvider.GetRequiredService<TagWriter>();
            var (low, high) = key.From <= key.To ? (key.From, key.To) : (key.To, key.From);
            var sentences = await db.Set<Sentence>().AsNoTracking().Where(s => s.TraceId == key.TraceId && s.Index >= low && s.Index <= high)
                .Select(s => new { s.Id, s.Index }).ToListAsync(ct);
            TagChange change;
            switch (key.Kind)
            {
                case "toggle":
                    var tagId = await db.Set<Tag>().Where(t => t.TaxonomyId == key.TaxonomyId && t.Hotkey == key.Key && !t.Retired).Select(t => (int?)t.Id).SingleOrDefaultAsync(ct);
                    if (tagId is null)
                    {
                        return new KeystrokeResult(KeystrokeResult.Refused, $"No tag of this taxonomy is on key {key.Key}.", []);
                    }

                    if (sentences.Count == 0)
                    {
                        return new KeystrokeResult(KeystrokeResult.Refused, "No sentence is selected.", []);
                    }

                    change = await writer.ToggleAsync(author, key.TaxonomyId, [tagId.Value], [.. sentences.Select(s => s.Id)], ct, key.Id);
                    break;
                case "note" when key.TagId is { } noteTag && sentences.Count == 1:
                    change = await writer.SetNoteAsync(author, sentences[0].Id, noteTag, key.Note, ct, key.Id);
                    break;
                case "undo":
                    change = await writer.UndoAsync(author, ct, key.Id);
                    break;
                default:
                    return new KeystrokeResult(KeystrokeResult.Refused, $"Unknown key press '{key.Kind}'.", []);
            }

            notifier.Publish(key.TraceId, this);
            var touched = change.Edits.Select(e => e.SentenceId).ToHashSet();
            IReadOnlyList<int> shown = key.Kind == "undo"
                ? await db.Set<Sentence>().Where(s => s.TraceId == key.TraceId && touched.Contains(s.Id)).Select(s => s.Index).ToListAsync(ct)
                : [.. sentences.Select(s => s.Index)];
            return new KeystrokeResult(KeystrokeResult.Saved, null, shown);
        }
        catch (TagRuleException e)
        {
            return new KeystrokeResult(KeystrokeResult.Refused, e.Message, []);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or WriteConflictException or System.Data.Common.DbException or TimeoutException)
        {
            NotSaved(log, e);
            return new KeystrokeResult(KeystrokeResult.Failed, "The database did not take the change.", []);
        }
    }

    /// <summary>The writer's role in the trace's workspace, at the moment of the write (null: allowed).</summary>
    private async Task<string?> WorkspaceRefusalAsync(AsyncServiceScope scope, int traceId, CancellationToken ct) =>
        await scope.ServiceProvider.GetRequiredService<Traces.WorkspaceWrites>()
            .RefusalForTraceAsync(await access.UserAsync(), AccessPolicies.Annotate, traceId, ct) is { } refusal
            ? "Not saved: " + refusal
            : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A tag change was not saved; the page sends it again.")]
    private static partial void NotSaved(ILogger logger, Exception exception);

    /// <summary>Records that the viewer submitted their tags of the trace (blind mode then shows the others'); false when the role does not allow it.</summary>
    public async Task<bool> SubmitAsync(int traceId, CancellationToken ct)
    {
        if (!await access.AllowsAsync(AccessPolicies.Annotate))
        {
            return false;
        }

        var author = await AuthorAsync();
        await using var scope = scopes.CreateAsyncScope();
        if (await WorkspaceRefusalAsync(scope, traceId, ct) is not null)
        {
            return false;
        }

        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        var submission = new TagSubmission
        {
            TraceId = traceId, AnnotatorKind = author.Kind, Annotator = author.Id,
            SubmittedAt = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(),
        };
        await BulkInsert.InsertIgnoringConflictsAsync(db, [submission], null, ct);
        return true;
    }
}
