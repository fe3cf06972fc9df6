using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Import;

namespace TraceViewer.Tests.Import;

public sealed class NativeJsonlTests : IDisposable
{
    private readonly TestApp _source = new();
    private readonly TestApp _target = new();
    private readonly SyntheticTrees _trees = new();
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"traceviewer-export-{Guid.NewGuid():N}.jsonl");

    [Fact]
    public async Task ExportThenImportGivesTheSameDatabaseContents()
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        _trees.WriteMathProblem("problem_7", ["One.", "Two.", "Three."], [[Rollout.Positive, Rollout.Error], [Rollout.Negative, Rollout.Empty], [Rollout.Positive]],
            labeled: true, forced: [[Rollout.Negative], [Rollout.Positive], [Rollout.Positive]]);
        _trees.WriteScenario("scenario_3", ["<think>", "Report it.", "</think>"], ["\n", "\n\n", ""], [[Rollout.Positive], [Rollout.Error, Rollout.Negative], [Rollout.Empty]]);
        await _source.ImportAsync(_trees.Root);

        await ExportAsync(_source, null);
        var summary = await _target.ImportAsync(_file);

        Assert.Equal(4, summary.TracesAdded);
        var expected = await _source.DumpAsync();
        var actual = await _target.DumpAsync();
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var table in expected.Keys)
        {
            // These sources write no judge labels, embedding cache, jobs, tag history or model votes, and nothing of people:
            // accounts, workspace members, invitations, verdicts, submissions, share links, queues and their history; and no
            // trace of theirs has a tier, so no study condition is counted.
            Assert.True(expected[table].Count > 0 || NotWrittenByTheseSources(table), $"{table} has rows to compare");
            Assert.Equal(expected[table], actual[table]);
        }
    }

    private static bool NotWrittenByTheseSources(string table) =>
        table is "JudgeLabel" or "CachedEmbedding" or "TagAudit" or "TagVotes" or "Invitation" or "HumanVerdict" or "TagSubmission" or "ShareLinks" or "Queue" or "QueueItem" or "QueueAssignment" or "QueueAudit" or "SavedViews" or "WorkspaceMembers"
        or "DatasetConditionSummary"
        || table.StartsWith("Job", StringComparison.Ordinal) || table.StartsWith("AspNet", StringComparison.Ordinal);

    [Fact]
    public async Task ImportingTheExportIntoTheSourceDatabaseChangesNothing()
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        var before = await _source.DumpAsync();
        await ExportAsync(_source, null);

        var summary = await _source.ImportAsync(_file);

        Assert.Equal((0, 0, 2), (summary.TracesAdded, summary.TracesUpdated, summary.TracesUnchanged));
        Assert.Equal(before, await _source.DumpAsync());
    }

    [Fact]
    public async Task ExportingOneDatasetWritesOnlyItsTraces()
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));

        await ExportAsync(_source, "thought-anchors-viewer/qwq-32b/yes_base_solution");
        await _target.ImportAsync(_file);

        using var db = _target.CreateDbContext();
        Assert.Equal(["scenario_0"], await db.Set<TraceViewer.Traces.Trace>().Select(t => t.ExternalKey).ToListAsync());
        var lines = await File.ReadAllLinesAsync(_file);
        Assert.Equal("{\"format\":\"traceviewer\",\"version\":1}", lines[0]);
        Assert.DoesNotContain(lines, l => l.Contains("problem_330", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFileWithoutTheHeaderIsRejectedAtLineOne()
    {
        await File.WriteAllLinesAsync(_file, ["{\"type\":\"dataset\",\"dataset\":{\"key\":\"k\"}}"]);

        var error = await Assert.ThrowsAsync<ImportException>(() => _target.ImportAsync(_file));

        Assert.Equal(1, error.Line);
        Assert.Equal("format", error.Field);
        Assert.All(await _target.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task AResampleBeforeItsTraceNamesTheLine()
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await ExportAsync(_source, null);
        var lines = (await File.ReadAllLinesAsync(_file)).ToList();
        var resample = lines.FindIndex(l => l.StartsWith("{\"type\":\"resample\"", StringComparison.Ordinal));
        var trace = lines.FindLastIndex(resample, l => l.StartsWith("{\"type\":\"trace\"", StringComparison.Ordinal));
        (lines[trace], lines[resample]) = (lines[resample], lines[trace]);
        await File.WriteAllLinesAsync(_file, lines);

        var error = await Assert.ThrowsAsync<ImportException>(() => _target.ImportAsync(_file));

        Assert.Equal(trace + 1, error.Line);
        Assert.Equal("traceKey", error.Field);
        Assert.All(await _target.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    private async Task ExportAsync(TestApp app, string? dataset)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var stream = File.Create(_file);
        await scope.ServiceProvider.GetRequiredService<NativeJsonlExporter>().ExportAsync(stream, dataset, CancellationToken.None);
    }

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
        _trees.Dispose();
        File.Delete(_file);
    }
}
