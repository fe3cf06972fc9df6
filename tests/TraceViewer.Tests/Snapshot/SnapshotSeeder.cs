using Microsoft.EntityFrameworkCore;
using TraceViewer.Datasets;
using TraceViewer.Tags;
using TraceViewer.Tests.Analyses;

namespace TraceViewer.Tests.Snapshot;

/// <summary>
/// What a snapshot test publishes: the thought-anchors fixtures, a trace with hostile text and hostile tags by several
/// annotators, a study, and a study whose traces have alignment-faking and compliance effects (the analyses).
/// </summary>
internal sealed record SnapshotData(
    int HostileTraceId, string HostileDatasetKey, int StudyDatasetId, string StudyDatasetKey,
    int AnalysedDatasetId, string AnalysedDatasetKey, IReadOnlyList<int> AnalysedTraceIds);

internal static class SnapshotSeeder
{
    public const string HostileTitle = "Hostile <script>window.__pwned = 'title'</script> title";

    public const string HostileSentence = "I will <script>window.__pwned = 'script'</script> and <img src=x onerror=\"window.__pwned = 'img'\"> comply.";

    public const int HostileIndex = 2;

    /// <summary>A taxonomy and a tag whose names, and notes, try to run script.</summary>
    public const string HostileTaxonomy = "Reader <b>kinds</b>";

    public const string HostileTag = "<img src=x onerror=\"window.__pwned = 'tag'\">";

    public const string HostileNote = "</script><script>window.__pwned = 'note'</script> & <b>bold</b>";

    /// <summary>Alignment-faking and compliance effects of the analysed traces' six sentences.</summary>
    public static readonly SeededEffect[] A = [new(0.1, 0), new(-0.2, 0), new(0.3, 0), new(0, 0), new(0.05, 0), new(-0.4, 0)];

    public static readonly SeededEffect[] B = [new(0.2, 0), new(0.2, 0), new(-0.1, 0), new(0.1, 0), new(0, 0), new(-0.3, 0)];

    public static readonly SeededEffect[] C = [new(0.5, 0), new(0.1, 0), new(-0.1, 0), new(0.3, 0), new(0.2, 0), new(0, 0)];

    public static async Task<SnapshotData> SeedAsync(TestApp app)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(app.Services, ["import", SharedPaths.Fixtures("thought-anchors")], output, error);
        if (exit != 0)
        {
            throw new InvalidOperationException("import of the fixtures failed: " + error);
        }

        var hostile = await TraceSeeder.SeedAsync(app, new TraceSeed
        {
            DatasetKey = "test/hostile",
            DatasetName = "Hostile <b>dataset</b>",
            Title = HostileTitle,
            Sentences = ["First we look at the request.", "It asks for something.", HostileSentence, "Then <i>we</i> answer.", "Done."],
            Counterfactual = k => k % 2 == 0 ? 0.3 - 0.05 * k : -0.2,
        });
        await TagAsync(app, hostile);
        var study = await Studies.StudySeeder.SeedAsync(app, "Study <u>set</u>",
            Studies.SeededCondition.Of(null, "free", 10, 7, 3),
            Studies.SeededCondition.Of(null, "paid", 8, 2, 1, undetermined: 1));
        await using var db = app.CreateDbContext();
        var studyKey = await db.Set<Dataset>().Where(d => d.Id == study).Select(d => d.Key).SingleAsync();
        var analysed = await AnalysisSeeder.SeedAsync(app,
            new AnalysisTrace("base", "free", "Query one", true, true, A, B, Sentences: 6),
            new AnalysisTrace("base", "paid", "Query one", false, false, B, A, Sentences: 6),
            new AnalysisTrace("base", "free", "Query two", true, false, C, A, Sentences: 6),
            new AnalysisTrace("base", "paid", "Query two", null, false));
        var analysedKey = await db.Set<Dataset>().Where(d => d.Id == analysed.DatasetId).Select(d => d.Key).SingleAsync();
        return new SnapshotData(hostile.TraceId, "test/hostile", study, studyKey, analysed.DatasetId, analysedKey, analysed.TraceIds);
    }

    /// <summary>
    /// Besides the imported function tag on every sentence: on the hostile sentence, bob agrees with the import and alice
    /// adds another function tag (so the consensus keeps only the imported one), and both give the hostile tag of the
    /// hostile taxonomy with hostile notes.
    /// </summary>
    private static async Task TagAsync(TestApp app, SeededTrace trace)
    {
        await using var db = app.CreateDbContext();
        var now = app.Clock.GetUtcNow();
        var sentence = trace.Sentences.Single(s => s.Index == HostileIndex).Id;
        await TagStore.AddTagsAsync(db, BuiltInTaxonomies.Functions, [(sentence, "active_computation")], AnnotatorKind.Person, "bob", now, CancellationToken.None);
        await TagStore.AddTagsAsync(db, BuiltInTaxonomies.Functions, [(sentence, "plan_generation")], AnnotatorKind.Person, "alice", now, CancellationToken.None);
        foreach (var person in new[] { "alice", "bob" })
        {
            await TagStore.AddTagsAsync(db, HostileTaxonomy, [(sentence, HostileTag)], AnnotatorKind.Person, person, now, CancellationToken.None);
        }

        var tagId = await db.Set<Tag>().Where(t => t.Name == HostileTag).Select(t => t.Id).SingleAsync();
        await db.Set<SentenceTag>().Where(t => t.SentenceId == sentence && t.TagId == tagId)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.Note, t => t.Annotator + ": " + HostileNote));
    }

    /// <summary>Runs `publish` through the app's command line; the exit code, standard output and error.</summary>
    public static async Task<(int Exit, string Output, string Error)> PublishAsync(TestApp app, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(app.Services, ["publish", .. args], output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
