using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Import;
using TraceViewer.Tags;
using TraceViewer.Tests.Data;
using TraceViewer.Tests.Import;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Tags;

/// <summary>Tags and notes through tag files (CSV, JSONL) and the native JSONL export, by the command line as users run it.</summary>
public sealed class TagTransferTests : IDisposable
{
    private const string Problem = "thought-anchors-viewer/deepseek-r1-distill-qwen-14b/correct_base_solution";
    private const string Scenario = "thought-anchors-viewer/qwq-32b/yes_base_solution";
    private const string Awkward = "a note, with \"quotes\",\nover two lines; é ✓";

    private readonly TestApp _source = new();
    private readonly TestApp _target = new();
    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("traceviewer-tags-");

    private string File(string name) => Path.Combine(_files.FullName, name);

    internal static async Task<(int Exit, string Output, string Error)> RunAsync(TestApp app, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(app.Services, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Person tags with notes (one awkward for CSV) in two taxonomies and a model's tag, on the fixtures.</summary>
    internal static async Task TagAsync(TestApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewer.Data.TraceViewerDbContext>();
        var writer = scope.ServiceProvider.GetRequiredService<TagWriter>();
        var sentences = await db.Set<Sentence>().Join(db.Set<Trace>(), s => s.TraceId, t => t.Id, (s, t) => new { s.Id, s.Index, t.ExternalKey })
            .ToDictionaryAsync(s => (s.ExternalKey, s.Index), s => s.Id);
        var taxonomies = await db.Set<Taxonomy>().ToDictionaryAsync(t => t.Name, t => t.Id);
        var tags = await db.Set<Tag>().ToDictionaryAsync(t => (t.TaxonomyId, t.Name), t => t.Id);
        var me = TagAuthor.Person(BuiltInTaxonomies.LocalPerson);
        var functions = taxonomies[BuiltInTaxonomies.Functions];
        var reasoning = taxonomies[BuiltInTaxonomies.Reasoning];
        await writer.ToggleAsync(me, functions, [tags[(functions, "plan_generation")]], [sentences[("problem_330", 0)], sentences[("problem_330", 2)]], CancellationToken.None);
        await writer.SetNoteAsync(me, sentences[("problem_330", 2)], tags[(functions, "plan_generation")], Awkward, CancellationToken.None);
        await writer.ToggleAsync(me, reasoning, [tags[(reasoning, "harm_assessment")], tags[(reasoning, "strategy_decision")]], [sentences[("scenario_0", 5)]], CancellationToken.None);
        await writer.SetNoteAsync(me, sentences[("scenario_0", 5)], tags[(reasoning, "strategy_decision")], "decides to act", CancellationToken.None);
        await TagStore.AddTagsAsync(db, BuiltInTaxonomies.Reasoning, [(sentences[("scenario_0", 7)], "value_conflict")], AnnotatorKind.Model, "judge-model-1", app.Clock.GetUtcNow(), CancellationToken.None);
    }

    [Theory]
    [InlineData("tags.csv")]
    [InlineData("tags.jsonl")]
    public async Task ExportedTagsImportIntoAnotherDatabaseAsTheyWereAndAgainChangeNothing(string name)
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await _target.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await TagAsync(_source);

        var export = await RunAsync(_source, "export-tags", File(name));
        var import = await RunAsync(_target, "import-tags", File(name));
        var again = await RunAsync(_target, "import-tags", File(name));
        await RunAsync(_target, "export-tags", File("back-" + name));

        // 285 imported function tags, which the target has already, and five tags put on by hand or by a model.
        Assert.Equal((0, "exported 290 tags to " + File(name) + "\n"), (export.Exit, export.Output));
        Assert.Equal((0, "tags: 5 added, 0 updated, 285 unchanged\n", ""), (import.Exit, import.Output, import.Error));
        Assert.Equal("tags: 0 added, 0 updated, 290 unchanged\n", again.Output);
        Assert.Equal(await System.IO.File.ReadAllTextAsync(File(name)), await System.IO.File.ReadAllTextAsync(File("back-" + name)));
        var text = await System.IO.File.ReadAllTextAsync(File(name));
        Assert.Contains(name.EndsWith(".csv", StringComparison.Ordinal) ? "\"a note, with \"\"quotes\"\",\nover two lines; é ✓\"" : "a note, with \\\"quotes\\\",\\nover two lines; é ✓", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportCanBeLimitedToADatasetAndATaxonomy()
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await TagAsync(_source);

        await RunAsync(_source, "export-tags", File("some.csv"), "--dataset", Scenario, "--taxonomy", BuiltInTaxonomies.Reasoning);
        var unknown = await RunAsync(_source, "export-tags", File("none.csv"), "--taxonomy", "No such taxonomy");

        var lines = await System.IO.File.ReadAllLinesAsync(File("some.csv"));
        Assert.Equal("dataset,trace,sentence,text,taxonomy,tag,annotatorKind,annotator,time,note", lines[0]);
        Assert.Equal(3, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.StartsWith(Scenario + ",scenario_0,", l, StringComparison.Ordinal));
        Assert.Equal((1, false), (unknown.Exit, System.IO.File.Exists(File("none.csv"))));
        Assert.Contains("No such taxonomy", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACsvRowWhoseSentenceTextDiffersIsRefusedByLineAndFieldAndNothingIsWritten()
    {
        await _target.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        var first = await SentenceTextAsync(_target, "problem_330", 0);
        // The second row's note runs over two lines, so the third row starts on line 5.
        await System.IO.File.WriteAllTextAsync(File("tags.csv"), $"""
            dataset,trace,sentence,text,taxonomy,tag,annotatorKind,annotator,time,note
            {Problem},problem_330,0,"{first.Replace("\"", "\"\"", StringComparison.Ordinal)}",{BuiltInTaxonomies.Functions},plan_generation,Person,ana,2026-01-02T03:04:05Z,
            {Problem},problem_330,1,,{BuiltInTaxonomies.Functions},fact_retrieval,Person,ana,,"first line
            second line"
            {Problem},problem_330,2,This is not the sentence.,{BuiltInTaxonomies.Functions},self_checking,Person,ana,,

            """);

        var (exit, output, error) = await RunAsync(_target, "import-tags", File("tags.csv"));

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.StartsWith("error: tags.csv, field text, line 5: does not match sentence 2 of trace 'problem_330'", error, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", error, StringComparison.Ordinal);
        await using var db = _target.CreateDbContext();
        Assert.False(await db.Set<SentenceTag>().AnyAsync(t => t.AnnotatorKind == AnnotatorKind.Person));
    }

    [Theory]
    [InlineData("""{"dataset":"D","trace":"problem_330","sentence":1,"taxonomy":"T","tag":"x","annotatorKind":"Person","annotator":"ana","text":"This is not the sentence."}""", "text", "does not match sentence 1")]
    [InlineData("""{"dataset":"D","trace":"problem_999","sentence":1,"taxonomy":"T","tag":"x","annotatorKind":"Person","annotator":"ana"}""", "trace", "there is no trace 'problem_999'")]
    [InlineData("""{"dataset":"D","trace":"problem_330","sentence":100000,"taxonomy":"T","tag":"x","annotatorKind":"Person","annotator":"ana"}""", "sentence", "has no sentence 100000")]
    [InlineData("""{"dataset":"D","trace":"problem_330","sentence":"1","taxonomy":"T","tag":"x","annotatorKind":"Person","annotator":"ana"}""", "sentence", "is not a sentence index")]
    [InlineData("""{"dataset":"D","trace":"problem_330","sentence":1,"taxonomy":"T","tag":"x","annotatorKind":"Robot","annotator":"ana"}""", "annotatorKind", "'Robot' is not Person, Import or Model")]
    [InlineData("""{"dataset":"D","trace":"problem_330","sentence":1,"taxonomy":"T","annotatorKind":"Person","annotator":"ana"}""", "tag", "missing required field")]
    [InlineData("""{"dataset":"D","trace":"problem_330","sentence":1,"taxonomy":"T","tag":"x","annotatorKind":"Person","annotator":"ana","time":"yesterday"}""", "time", "is not a time")]
    [InlineData("""{"dataset":"D","trace":"problem_330","sentence":1,"taxonomy":"T","tag":"x","annotatorKind":"Person","annotator":"ana","colour":"red"}""", "colour", "unknown member")]
    public async Task AJsonlRowThatDoesNotFitIsRefusedByLineAndField(string bad, string field, string detail)
    {
        await _target.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        var good = $$"""{"dataset":"{{Problem}}","trace":"problem_330","sentence":0,"taxonomy":"T","tag":"x","annotatorKind":"Person","annotator":"ana"}""";
        await System.IO.File.WriteAllLinesAsync(File("tags.jsonl"), [good, "", bad.Replace("\"D\"", $"\"{Problem}\"", StringComparison.Ordinal)]);

        var (exit, _, error) = await RunAsync(_target, "import-tags", File("tags.jsonl"));

        Assert.Equal(1, exit);
        Assert.StartsWith($"error: tags.jsonl, field {field}, line 3: ", error, StringComparison.Ordinal);
        Assert.Contains(detail, error, StringComparison.Ordinal);
        await using var db = _target.CreateDbContext();
        Assert.False(await db.Set<SentenceTag>().AnyAsync(t => t.AnnotatorKind == AnnotatorKind.Person));
        Assert.False(await db.Set<Taxonomy>().AnyAsync(t => t.Name == "T"));
    }

    [Fact]
    public async Task TheNativeExportCarriesTagsAndNotesAndImportingItAgainChangesNothing()
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await TagAsync(_source);
        await RunAsync(_source, "export", File("traces.jsonl"));
        var lines = await System.IO.File.ReadAllLinesAsync(File("traces.jsonl"));

        var imported = await _target.ImportAsync(File("traces.jsonl"));
        var again = await _source.ImportAsync(File("traces.jsonl"));

        Assert.Equal(2, lines.Count(l => l.StartsWith("{\"type\":\"taxonomy\"", StringComparison.Ordinal)));
        // The source's function tags stay in the sentences; the five others are sentenceTag lines.
        Assert.Equal(5, lines.Count(l => l.StartsWith("{\"type\":\"sentenceTag\"", StringComparison.Ordinal)));
        Assert.Equal(2, imported.TracesAdded);
        Assert.Equal((0, 0, 2), (again.TracesAdded, again.TracesUpdated, again.TracesUnchanged));
        await RunAsync(_source, "export-tags", File("source.jsonl"));
        await RunAsync(_target, "export-tags", File("target.jsonl"));
        Assert.Equal(await System.IO.File.ReadAllTextAsync(File("source.jsonl")), await System.IO.File.ReadAllTextAsync(File("target.jsonl")));
        await using var db = _source.CreateDbContext();
        Assert.Equal(290, await db.Set<SentenceTag>().CountAsync());
    }

    [Fact]
    public async Task AChangedTraceImportedAgainKeepsPeoplesTagsOnSentencesWhoseTextIsTheSame()
    {
        using var trees = new SyntheticTrees();
        Rollout[][] rollouts = [[Rollout.Positive], [Rollout.Negative], [Rollout.Positive]];
        trees.WriteMathProblem("problem_7", ["One.", "Two.", "Three."], rollouts, labeled: true);
        await _source.ImportAsync(trees.Root);
        var before = await SentenceIdsAsync(_source);
        await using (var scope = _source.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TraceViewer.Data.TraceViewerDbContext>();
            var reasoning = await db.Set<Taxonomy>().Where(t => t.Name == BuiltInTaxonomies.Reasoning).Select(t => t.Id).SingleAsync();
            var tag = await db.Set<Tag>().Where(t => t.TaxonomyId == reasoning && t.Name == "drafting_answer").Select(t => t.Id).SingleAsync();
            var writer = scope.ServiceProvider.GetRequiredService<TagWriter>();
            await writer.ToggleAsync(TagAuthor.Person("local"), reasoning, [tag], [before[0], before[1]], CancellationToken.None);
            await writer.SetNoteAsync(TagAuthor.Person("local"), before[0], tag, "kept", CancellationToken.None);
        }

        trees.WriteMathProblem("problem_7", ["One.", "Two, changed.", "Three."], rollouts, labeled: true);
        var summary = await _source.ImportAsync(trees.Root);

        Assert.Equal(1, summary.TracesUpdated);
        Assert.Contains(summary.Warnings, w => w.Contains("1 tag(s) given to sentences whose text changed were dropped", StringComparison.Ordinal));
        var after = await SentenceIdsAsync(_source);
        await using var check = _source.CreateDbContext();
        var person = await check.Set<SentenceTag>().Where(t => t.AnnotatorKind == AnnotatorKind.Person).ToListAsync();
        Assert.Equal([(after[0], "kept")], person.Select(t => (t.SentenceId, t.Note)));
        Assert.Equal(3, await check.Set<SentenceTag>().CountAsync(t => t.AnnotatorKind == AnnotatorKind.Import && after.Contains(t.SentenceId)));
        // The history moved with the sentences, so undo still works on them.
        Assert.Equal([after[0], after[1], after[0]], await check.Set<TagAudit>().OrderBy(a => a.Id).Select(a => a.SentenceId).ToListAsync());
        await using var scope2 = _source.Services.CreateAsyncScope();
        await scope2.ServiceProvider.GetRequiredService<TagWriter>().UndoAsync(TagAuthor.Person("local"), CancellationToken.None);
        Assert.Null((await check.Set<SentenceTag>().AsNoTracking().SingleAsync(t => t.AnnotatorKind == AnnotatorKind.Person)).Note);
    }

    [Fact]
    public async Task SearchAndTheTracePageReadPeoplesTagsBesideTheImportedOnes()
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await TagAsync(_source);
        await using var scope = _source.Services.CreateAsyncScope();
        var search = scope.ServiceProvider.GetRequiredService<TraceViewer.Search.SearchQueries>();

        var hits = await search.FindAsync(new TraceViewer.Search.SentenceSearchFilter(Tag: "Strategy_Decision"), CancellationToken.None);
        var options = await search.ListOptionsAsync(CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<TraceViewer.Data.TraceViewerDbContext>();
        var traceId = await db.Set<Trace>().Where(t => t.ExternalKey == "scenario_0").Select(t => t.Id).SingleAsync();
        var trace = await scope.ServiceProvider.GetRequiredService<TraceQueries>().GetTraceAsync(traceId, null, CancellationToken.None);

        var hit = Assert.Single(hits.Items);
        Assert.Equal(5, hit.Index);
        Assert.Equal(["harm_assessment", "strategy_decision", "uncertainty_management"], hit.Tags.Order(StringComparer.Ordinal));
        Assert.Contains("strategy_decision", options.Tags);
        Assert.Contains("unknown", options.Tags);
        var tags = trace!.Sentences.Single(s => s.Index == 5).Tags;
        Assert.Equal(
            [(BuiltInTaxonomies.Functions, "uncertainty_management", AnnotatorKind.Import, "thought-anchors-viewer", (string?)null),
             (BuiltInTaxonomies.Reasoning, "harm_assessment", AnnotatorKind.Person, "local", null),
             (BuiltInTaxonomies.Reasoning, "strategy_decision", AnnotatorKind.Person, "local", "decides to act")],
            tags.Select(t => (t.Taxonomy, t.Tag, t.AnnotatorKind, t.Annotator, t.Note)));
        Assert.Equal("uncertainty_management", TagReads.Marking(tags)!.Tag);

        // The JSON API gives the same tags, with who gave them by name.
        using var client = _source.CreateClient();
        var json = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync($"/api/traces/{traceId}"))!;
        var sentence = json["sentences"]!.AsArray().Single(s => (int)s!["index"]! == 5)!;
        Assert.Equal(
            """[{"taxonomy":"Thought Anchors functions","tag":"uncertainty_management","colour":"#65A30D","annotatorKind":"Import","annotator":"thought-anchors-viewer","note":null},"""
            + """{"taxonomy":"Alignment-faking reasoning","tag":"harm_assessment","colour":"#B91C1C","annotatorKind":"Person","annotator":"local","note":null},"""
            + """{"taxonomy":"Alignment-faking reasoning","tag":"strategy_decision","colour":"#15803D","annotatorKind":"Person","annotator":"local","note":"decides to act"}]""",
            sentence["tags"]!.ToJsonString());
    }

    private static async Task<string> SentenceTextAsync(TestApp app, string trace, int index)
    {
        await using var db = app.CreateDbContext();
        return await db.Set<Sentence>().Where(s => s.Index == index && db.Set<Trace>().Any(t => t.Id == s.TraceId && t.ExternalKey == trace)).Select(s => s.Text).SingleAsync();
    }

    private static async Task<List<int>> SentenceIdsAsync(TestApp app)
    {
        await using var db = app.CreateDbContext();
        return await db.Set<Sentence>().OrderBy(s => s.Index).Select(s => s.Id).ToListAsync();
    }

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
        _files.Delete(recursive: true);
    }
}

/// <summary>Tags written on SQLite travel through the native export into PostgreSQL unchanged.</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class PostgresTagTransferTests(PostgresServer server) : IDisposable
{
    private readonly TestApp _sqlite = new();
    private readonly TestApp _postgres = new TestApp()
        .WithPostgres(server);

    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("traceviewer-pgtags-");

    [Fact]
    public async Task TagsAndNotesExportedFromSqliteImportIntoPostgresAsTheyWere()
    {
        await _sqlite.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await TagTransferTests.TagAsync(_sqlite);
        var traces = Path.Combine(_files.FullName, "traces.jsonl");
        await TagTransferTests.RunAsync(_sqlite, "export", traces);

        await _postgres.ImportAsync(traces);
        var again = await TagTransferTests.RunAsync(_postgres, "import-tags", await ExportTagsAsync(_sqlite, "from-sqlite.csv"));

        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(_files.FullName, "from-sqlite.csv")), await File.ReadAllTextAsync(await ExportTagsAsync(_postgres, "from-postgres.csv")));
        Assert.Equal("tags: 0 added, 0 updated, 290 unchanged\n", again.Output);
    }

    private async Task<string> ExportTagsAsync(TestApp app, string name)
    {
        var path = Path.Combine(_files.FullName, name);
        var (exit, _, error) = await TagTransferTests.RunAsync(app, "export-tags", path);
        Assert.True(exit == 0, error);
        return path;
    }

    public void Dispose()
    {
        _sqlite.Dispose();
        _postgres.Dispose();
        _files.Delete(recursive: true);
    }
}
