using Microsoft.EntityFrameworkCore;
using TraceViewer.Import;
using TraceViewer.Resampling;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Import;

/// <summary>The import's row writer on SQLite: values stored as EF stores them, keys set on the rows and never reused.</summary>
public sealed class BulkCopyTests : IDisposable
{
    private readonly TestApp _app = new();
    private readonly SyntheticTrees _trees = new();

    [Fact]
    public async Task DatesAreStoredAsTheSameTextEfWrites()
    {
        await _app.ImportAsync(SharedPaths.Fixtures("thought-anchors"));

        using var db = _app.CreateDbContext();
        var traces = db.Model.FindEntityType(typeof(Trace))!.GetTableName();
        var resamples = db.Model.FindEntityType(typeof(Resample))!.GetTableName();
        // The trace row goes through SaveChanges, its resamples through BulkCopy, both stamped with the same time.
        var sql = $"SELECT DISTINCT t.\"ImportedAt\" || ' = ' || r.\"CreatedAt\" AS \"Value\" FROM \"{resamples}\" r JOIN \"{traces}\" t ON t.\"Id\" = r.\"TraceId\"";
        var pairs = await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
        Assert.NotEmpty(pairs);
        Assert.All(pairs, pair => Assert.Equal(pair.Split(" = ")[0], pair.Split(" = ")[1]));
        var stored = await db.Set<Resample>().AsNoTracking().Select(r => r.CreatedAt).FirstAsync();
        Assert.Equal(await db.Set<Trace>().AsNoTracking().Select(t => t.ImportedAt).FirstAsync(), stored);
        Assert.Equal(BulkCopy.SqliteText(stored), pairs[0].Split(" = ")[1]);
    }

    [Fact]
    public async Task KeysFollowTheLargestEverGivenAndLabelsPointAtTheirResamples()
    {
        var chunks = Enumerable.Range(0, 5).Select(i => $"Sentence {i}.").ToList();
        var rollouts = chunks.Select(_ => (IReadOnlyList<Rollout>)[Rollout.Positive, Rollout.Negative, Rollout.Error]).ToList();
        _trees.WriteMathProblem("problem_1", chunks, rollouts, labeled: true);
        await _app.ImportAsync(_trees.Root);
        long firstLargest;
        using (var db = _app.CreateDbContext())
        {
            firstLargest = await db.Set<Resample>().MaxAsync(r => r.Id);
            await db.Set<ResampleLabel>().ExecuteDeleteAsync();
            await db.Set<Resample>().ExecuteDeleteAsync();
            await db.Set<Trace>().ExecuteUpdateAsync(s => s.SetProperty(t => t.ContentHash, "changed"));
        }

        // The same source again: the trace counts as changed and is written anew.
        await _app.ImportAsync(_trees.Root);

        using var after = _app.CreateDbContext();
        var ids = await after.Set<Resample>().AsNoTracking().OrderBy(r => r.Id).Select(r => new { r.Id, r.Position, r.SampleIndex }).ToListAsync();
        Assert.Equal(15, ids.Count);
        Assert.True(ids[0].Id > firstLargest, $"key {ids[0].Id} reused (largest before {firstLargest})");
        Assert.Equal(Enumerable.Range(0, 15).Select(i => ids[0].Id + i), ids.Select(r => r.Id));
        var labels = await after.Set<ResampleLabel>().AsNoTracking().Select(l => new { l.ResampleId, l.Value }).ToListAsync();
        Assert.Equal(15, labels.Select(l => l.ResampleId).Distinct().Count());
        Assert.Subset(ids.Select(r => r.Id).ToHashSet(), labels.Select(l => l.ResampleId).ToHashSet());
    }

    public void Dispose()
    {
        _app.Dispose();
        _trees.Dispose();
    }
}
