using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Import;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Import;

public sealed class SampleDataTests : IDisposable
{
    private readonly TestApp _app = new();

    [Fact]
    public async Task AnEmptyDatabaseGetsTheBundledFixturesOnStart()
    {
        using var started = _app.WithWebHostBuilder(b => b.UseSetting("SampleData:ImportOnStart", "true"));

        using var scope = started.Services.CreateScope();

        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        Assert.Equal(["problem_330", "scenario_0"], await db.Set<Trace>().OrderBy(t => t.ExternalKey).Select(t => t.ExternalKey).ToListAsync());
        Assert.Equal(
            ["thought-anchors-viewer/deepseek-r1-distill-qwen-14b/correct_base_solution", "thought-anchors-viewer/qwq-32b/yes_base_solution"],
            await db.Set<Dataset>().OrderBy(d => d.Key).Select(d => d.Key).ToListAsync());
    }

    [Fact]
    public async Task NothingIsImportedWhenTurnedOff()
    {
        await _app.Services.ImportSampleDataIfEmptyAsync();

        Assert.All(await _app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task ADatabaseWithDataIsLeftAlone()
    {
        using var trees = new SyntheticTrees();
        trees.WriteMathProblem("problem_1", ["A."], [[Rollout.Positive]]);
        await _app.ImportAsync(trees.Root);
        using var started = _app.WithWebHostBuilder(b => b.UseSetting("SampleData:ImportOnStart", "true"));

        await started.Services.ImportSampleDataIfEmptyAsync();

        using var db = _app.CreateDbContext();
        Assert.Equal(["problem_1"], await db.Set<Trace>().Select(t => t.ExternalKey).ToListAsync());
    }

    public void Dispose() => _app.Dispose();
}
