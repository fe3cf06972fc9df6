using Microsoft.EntityFrameworkCore;
using TraceViewer.Datasets;

namespace TraceViewer.Tests.Snapshot;

/// <summary>What a snapshot test publishes: the thought-anchors fixtures, a trace with hostile text, and a study.</summary>
internal sealed record SnapshotData(int HostileTraceId, string HostileDatasetKey, int StudyDatasetId, string StudyDatasetKey);

internal static class SnapshotSeeder
{
    public const string HostileTitle = "Hostile <script>window.__pwned = 'title'</script> title";

    public const string HostileSentence = "I will <script>window.__pwned = 'script'</script> and <img src=x onerror=\"window.__pwned = 'img'\"> comply.";

    public const int HostileIndex = 2;

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
        var study = await Studies.StudySeeder.SeedAsync(app, "Study <u>set</u>",
            Studies.SeededCondition.Of(null, "free", 10, 7, 3),
            Studies.SeededCondition.Of(null, "paid", 8, 2, 1, undetermined: 1));
        await using var db = app.CreateDbContext();
        var studyKey = await db.Set<Dataset>().Where(d => d.Id == study).Select(d => d.Key).SingleAsync();
        return new SnapshotData(hostile.TraceId, "test/hostile", study, studyKey);
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
