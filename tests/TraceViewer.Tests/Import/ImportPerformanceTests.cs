using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Resampling;
using Xunit.Abstractions;

namespace TraceViewer.Tests.Import;

/// <summary>Import times, printed for the record; the assertions check that everything arrived.</summary>
public sealed class ImportPerformanceTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestApp _app = new();
    private readonly SyntheticTrees _trees = new();

    [Fact]
    public async Task AHundredAndFiftySentenceTreeWithFifteenThousandRolloutsImports()
    {
        var chunks = Enumerable.Range(0, 150).Select(i => $"Sentence number {i} of a long reasoning trace.").ToList();
        var kinds = new[] { Rollout.Positive, Rollout.Negative, Rollout.Positive, Rollout.Error, Rollout.Empty };
        var rollouts = chunks.Select((_, i) => (IReadOnlyList<Rollout>)[.. Enumerable.Range(0, 100).Select(j => kinds[(i + j) % kinds.Length])]).ToList();
        _trees.WriteMathProblem("problem_150", chunks, rollouts, labeled: true);
        var clock = Stopwatch.StartNew();

        var summary = await _app.ImportAsync(_trees.Root);

        output.WriteLine($"150 sentences x 100 rollouts: {clock.ElapsedMilliseconds} ms (importer says {summary.Elapsed.TotalMilliseconds:F0} ms)");
        Assert.Equal(15_000, summary.Resamples);
        using var db = _app.CreateDbContext();
        Assert.Equal(15_000, await db.Set<ResampleLabel>().CountAsync());
    }

    [Fact]
    public async Task TheTwoFixturesImport()
    {
        var clock = Stopwatch.StartNew();

        var summary = await _app.ImportAsync(SharedPaths.Fixtures("thought-anchors"));

        output.WriteLine($"fixtures: {clock.ElapsedMilliseconds} ms (importer says {summary.Elapsed.TotalMilliseconds:F0} ms), {summary.Resamples} resamples");
        Assert.Equal(285, summary.Sentences);
    }

    public void Dispose()
    {
        _app.Dispose();
        _trees.Dispose();
    }
}
