using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.Tags;
using TraceViewer.Tests.Data;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Tags;

/// <summary>The tag writer's rules through the real service and database, on SQLite and on PostgreSQL.</summary>
public abstract class TagWriterTests(PostgresServer? postgres) : ProviderAppTests(postgres)
{
    private static readonly TagAuthor Me = TagAuthor.Person(BuiltInTaxonomies.LocalPerson);
    private static readonly TagAuthor Someone = TagAuthor.Person("someone-else");

    private SeededTrace _trace = null!;
    private int _functions;
    private Dictionary<string, int> _tags = [];

    protected override async Task SetUpAsync()
    {
        _trace = await TraceSeeder.SeedAsync(App, new TraceSeed { Sentences = ["One.", "Two.", "Three.", "Four."] });
        await using var db = App.CreateDbContext();
        _functions = await db.Set<Taxonomy>().Where(t => t.Name == BuiltInTaxonomies.Functions).Select(t => t.Id).SingleAsync();
        _tags = await db.Set<Tag>().Where(t => t.TaxonomyId == _functions).ToDictionaryAsync(t => t.Name, t => t.Id);
    }

    private int Sentence(int index) => _trace.Sentences[index].Id;

    private async Task<TagChange> WithWriterAsync(Func<TagWriter, Task<TagChange>> call)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<TagWriter>());
    }

    private Task<TagChange> ToggleAsync(TagAuthor author, int taxonomy, int[] tags, params int[] sentences) =>
        WithWriterAsync(w => w.ToggleAsync(author, taxonomy, tags, sentences, CancellationToken.None));

    private Task<TagChange> ToggleAsync(string tag, params int[] sentenceIndices) =>
        ToggleAsync(Me, _functions, [_tags[tag]], [.. sentenceIndices.Select(Sentence)]);

    /// <summary>(sentence index, tag, annotator kind, annotator, note) of every row on the trace.</summary>
    private async Task<List<(int Index, string Tag, AnnotatorKind Kind, string Annotator, string? Note)>> RowsAsync()
    {
        await using var db = App.CreateDbContext();
        var rows = await (
            from st in db.Set<SentenceTag>()
            join s in db.Set<Sentence>() on st.SentenceId equals s.Id
            where s.TraceId == _trace.TraceId
            orderby s.Index, st.Id
            select new { s.Index, st.Tag!.Name, st.AnnotatorKind, st.Annotator, st.Note })
            .ToListAsync();
        return rows.ConvertAll(r => (r.Index, r.Name, r.AnnotatorKind, r.Annotator, (string?)r.Note));
    }

    private async Task<List<TagAudit>> AuditAsync()
    {
        await using var db = App.CreateDbContext();
        return await db.Set<TagAudit>().OrderBy(a => a.Id).ToListAsync();
    }

    private static List<(int, string, AnnotatorKind, string, string?)> Imported() =>
        [.. Enumerable.Range(0, 4).Select(k => (k, "active_computation", AnnotatorKind.Import, "viewer-bundle", (string?)null))];

    [Fact]
    public async Task ATogglePutsTheTagOnTheSentencesThatLackItAndAuditsEachEdit()
    {
        var change = await ToggleAsync("plan_generation", 0, 2);

        Assert.NotNull(change.ChangeId);
        var rows = await RowsAsync();
        Assert.Equal([(0, "plan_generation"), (2, "plan_generation")], rows.Where(r => r.Kind == AnnotatorKind.Person).Select(r => (r.Index, r.Tag)));
        var audit = await AuditAsync();
        Assert.Equal(2, audit.Count);
        Assert.All(audit, a => Assert.Equal(
            (change.ChangeId!.Value, AnnotatorKind.Person, "local", TagAction.Add, false, true, _tags["plan_generation"], false),
            (a.ChangeId, a.AnnotatorKind, a.Annotator, a.Action, a.Before, a.After, a.TagId, a.IsUndo)));
        Assert.Equal([Sentence(0), Sentence(2)], audit.Select(a => a.SentenceId));

        await ToggleAsync("plan_generation", 0, 2);

        Assert.DoesNotContain(await RowsAsync(), r => r.Kind == AnnotatorKind.Person);
        Assert.Equal([TagAction.Add, TagAction.Add, TagAction.Remove, TagAction.Remove], (await AuditAsync()).Select(a => a.Action));
    }

    [Fact]
    public async Task AChangeIdAlreadyStoredIsNotAppliedAgain()
    {
        var id = Guid.NewGuid();
        var first = await WithWriterAsync(w => w.ToggleAsync(Me, _functions, [_tags["self_checking"]], [Sentence(3)], CancellationToken.None, id));
        var again = await WithWriterAsync(w => w.ToggleAsync(Me, _functions, [_tags["self_checking"]], [Sentence(3)], CancellationToken.None, id));

        Assert.Equal(id, first.ChangeId);
        Assert.Empty(again.Edits);
        Assert.Single(await RowsAsync(), r => r.Kind == AnnotatorKind.Person);
        Assert.Single(await AuditAsync());

        // An undo sent twice takes back one change, not two; another annotator may use the same id for their own change.
        await ToggleAsync("self_checking", 2);
        var undo = Guid.NewGuid();
        await WithWriterAsync(w => w.UndoAsync(Me, CancellationToken.None, undo));
        await WithWriterAsync(w => w.UndoAsync(Me, CancellationToken.None, undo));
        Assert.Equal([(3, "self_checking")], (await RowsAsync()).Where(r => r.Kind == AnnotatorKind.Person).Select(r => (r.Index, r.Tag)));
        var theirs = await WithWriterAsync(w => w.ToggleAsync(Someone, _functions, [_tags["self_checking"]], [Sentence(3)], CancellationToken.None, id));
        Assert.Single(theirs.Edits);
    }

    [Fact]
    public async Task APersonsTagsNeverTouchAnotherAnnotatorsRows()
    {
        // The seeded trace carries imported "active_computation" on every sentence.
        await ToggleAsync("active_computation", 1);
        await ToggleAsync(Someone, _functions, [_tags["active_computation"]], Sentence(1));
        var rows = await RowsAsync();
        Assert.Equal(
            [(1, AnnotatorKind.Import, "viewer-bundle"), (1, AnnotatorKind.Person, "local"), (1, AnnotatorKind.Person, "someone-else")],
            rows.Where(r => r.Index == 1).Select(r => (r.Index, r.Kind, r.Annotator)));

        await ToggleAsync("active_computation", 1);

        Assert.Equal(
            [(1, AnnotatorKind.Import, "viewer-bundle"), (1, AnnotatorKind.Person, "someone-else")],
            (await RowsAsync()).Where(r => r.Index == 1).Select(r => (r.Index, r.Kind, r.Annotator)));
        Assert.Equal(Imported(), (await RowsAsync()).Where(r => r.Kind == AnnotatorKind.Import).ToList());
    }

    [Fact]
    public async Task InASingleChoiceTaxonomyTheNewTagReplacesThePersonsOtherOne()
    {
        int verdict, yes, no;
        await using (var db = App.CreateDbContext())
        {
            var taxonomy = new Taxonomy { Name = "Verdict " + Guid.NewGuid().ToString("N")[..8], MultiChoice = false, Tags = [new Tag { Name = "yes", Hotkey = 1 }, new Tag { Name = "no", Hotkey = 2 }] };
            db.Add(taxonomy);
            await db.SaveChangesAsync();
            (verdict, yes, no) = (taxonomy.Id, taxonomy.Tags[0].Id, taxonomy.Tags[1].Id);
        }

        await ToggleAsync(Me, verdict, [yes], Sentence(0), Sentence(1));
        await ToggleAsync(Someone, verdict, [yes], Sentence(0));
        var change = await ToggleAsync(Me, verdict, [no], Sentence(0));

        Assert.Equal([(yes, TagAction.Remove), (no, TagAction.Add)], change.Edits.Select(e => (e.TagId, e.Action)));
        var rows = (await RowsAsync()).Where(r => r.Kind == AnnotatorKind.Person).ToList();
        Assert.Equal([(0, "no", "local"), (0, "yes", "someone-else"), (1, "yes", "local")],
            rows.Select(r => (r.Index, r.Tag, r.Annotator)).OrderBy(r => r.Index).ThenBy(r => r.Annotator, StringComparer.Ordinal));
        await Assert.ThrowsAsync<TagRuleException>(() => ToggleAsync(Me, verdict, [yes, no], Sentence(2)));
    }

    [Fact]
    public async Task ANoteIsSetAndClearedOnThePersonsTagWithItsHistory()
    {
        await ToggleAsync("self_checking", 3);
        var tag = _tags["self_checking"];

        await WithWriterAsync(w => w.SetNoteAsync(Me, Sentence(3), tag, "checks the sum <b>again</b>", CancellationToken.None));
        Assert.Equal("checks the sum <b>again</b>", (await RowsAsync()).Single(r => r.Kind == AnnotatorKind.Person).Note);
        var unchanged = await WithWriterAsync(w => w.SetNoteAsync(Me, Sentence(3), tag, "checks the sum <b>again</b>", CancellationToken.None));
        Assert.Same(TagChange.None, unchanged);
        await WithWriterAsync(w => w.SetNoteAsync(Me, Sentence(3), tag, "", CancellationToken.None));

        Assert.Null((await RowsAsync()).Single(r => r.Kind == AnnotatorKind.Person).Note);
        var notes = (await AuditAsync()).Where(a => a.Action == TagAction.Note).Select(a => (a.NoteBefore, a.NoteAfter));
        Assert.Equal([(null, "checks the sum <b>again</b>"), ("checks the sum <b>again</b>", null)], notes);
        // A note belongs to a tag the person put on the sentence (not to the imported one).
        await Assert.ThrowsAsync<TagRuleException>(() => WithWriterAsync(w => w.SetNoteAsync(Me, Sentence(3), _tags["active_computation"], "x", CancellationToken.None)));
    }

    [Fact]
    public async Task UndoTakesBackThePersonsChangesOneAtATimeAndOnlyTheirs()
    {
        await ToggleAsync("plan_generation", 0, 1);
        await ToggleAsync("fact_retrieval", 1);
        await WithWriterAsync(w => w.SetNoteAsync(Me, Sentence(1), _tags["fact_retrieval"], "recalls", CancellationToken.None));
        await ToggleAsync(Someone, _functions, [_tags["problem_setup"]], Sentence(2));

        var first = await WithWriterAsync(w => w.UndoAsync(Me, CancellationToken.None));
        Assert.Equal((TagAction.Note, "recalls", (string?)null), (Assert.Single(first.Edits).Action, first.Edits[0].NoteBefore, first.Edits[0].NoteAfter));
        await WithWriterAsync(w => w.UndoAsync(Me, CancellationToken.None));
        Assert.Equal([(0, "plan_generation"), (1, "plan_generation")], (await RowsAsync()).Where(r => r.Annotator == "local").Select(r => (r.Index, r.Tag)));
        await WithWriterAsync(w => w.UndoAsync(Me, CancellationToken.None));
        Assert.DoesNotContain(await RowsAsync(), r => r.Annotator == "local");

        Assert.Same(TagChange.None, await WithWriterAsync(w => w.UndoAsync(Me, CancellationToken.None)));
        Assert.Contains(await RowsAsync(), r => (r.Index, r.Tag, r.Annotator) == (2, "problem_setup", "someone-else"));
        var audit = await AuditAsync();
        Assert.Equal(4, audit.Count(a => a.IsUndo));
        Assert.All(audit.Where(a => a.Annotator == "local" && !a.IsUndo), a => Assert.NotNull(a.UndoneBy));
        Assert.Null(audit.Single(a => a.Annotator == "someone-else").UndoneBy);
    }

    [Fact]
    public async Task ConcurrentTogglesOfOnePersonEndAsIfMadeOneAfterTheOther()
    {
        const int calls = 15;
        var tag = _tags["uncertainty_management"];

        var changes = await Task.WhenAll(Enumerable.Range(0, calls).Select(_ => Task.Run(() => ToggleAsync(Me, _functions, [tag], Sentence(0), Sentence(1)))));

        // An odd number of toggles of the same tag on the same sentences leaves it on, once per sentence.
        Assert.All(changes, c => Assert.Equal(2, c.Edits.Count));
        var rows = (await RowsAsync()).Where(r => r.Kind == AnnotatorKind.Person).ToList();
        Assert.Equal([(0, "uncertainty_management"), (1, "uncertainty_management")], rows.Select(r => (r.Index, r.Tag)));
        var audit = await AuditAsync();
        Assert.Equal(calls, audit.Select(a => a.ChangeId).Distinct().Count());
        // In the order they were written, each change flips what the previous one left.
        var actions = audit.Where(a => a.SentenceId == Sentence(0)).Select(a => a.Action).ToList();
        Assert.Equal(Enumerable.Range(0, calls).Select(i => i % 2 == 0 ? TagAction.Add : TagAction.Remove), actions);
    }

    [Fact]
    public async Task ConcurrentSingleChoicePicksLeaveExactlyOneTag()
    {
        int verdict;
        int[] tags;
        await using (var db = App.CreateDbContext())
        {
            var taxonomy = new Taxonomy { Name = "Pick " + Guid.NewGuid().ToString("N")[..8], MultiChoice = false, Tags = [.. Enumerable.Range(1, 6).Select(i => new Tag { Name = $"t{i}", Hotkey = i })] };
            db.Add(taxonomy);
            await db.SaveChangesAsync();
            verdict = taxonomy.Id;
            tags = [.. taxonomy.Tags.Select(t => t.Id)];
        }

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => ToggleAsync(Me, verdict, [tags[i % tags.Length]], Sentence(2)))));

        await using var check = App.CreateDbContext();
        var mine = await check.Set<SentenceTag>().Where(t => t.SentenceId == Sentence(2) && t.Annotator == "local" && tags.Contains(t.TagId)).ToListAsync();
        Assert.True(mine.Count <= 1, $"{mine.Count} tags of a single-choice taxonomy on one sentence");
        // Replaying the audit gives the row that is there.
        var audit = (await AuditAsync()).Where(a => tags.Contains(a.TagId)).ToList();
        var replayed = new HashSet<int>();
        foreach (var a in audit)
        {
            if (a.After)
            {
                replayed.Add(a.TagId);
            }
            else
            {
                replayed.Remove(a.TagId);
            }
        }

        Assert.Equal(replayed.Order(), mine.Select(t => t.TagId).Order());
    }

    [Fact]
    public async Task ALostRaceOnTheUniqueIndexIsRunAgain()
    {
        await ToggleAsync("final_answer_emission", 3);
        await using var db = App.CreateDbContext();
        var attempts = 0;

        var result = await UniqueRetry.RunAsync(db, async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            if (++attempts == 1)
            {
                // What a concurrent writer that got there first looks like: the same (sentence, tag, annotator) once more.
                db.Add(new SentenceTag { SentenceId = Sentence(3), TagId = _tags["final_answer_emission"], AnnotatorKind = AnnotatorKind.Person, Annotator = "local" });
                await db.SaveChangesAsync();
            }

            await transaction.CommitAsync();
            return attempts;
        }, CancellationToken.None);

        Assert.Equal(2, result);
        Assert.Single(await RowsAsync(), r => r.Kind == AnnotatorKind.Person);
    }
}

public sealed class SqliteTagWriterTests() : TagWriterTests(null);

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresTagWriterTests(PostgresServer server) : TagWriterTests(server);
