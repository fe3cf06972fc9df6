using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Tests.Import;
using TraceViewer.Tests.Jobs;
using TraceViewer.Traces;

namespace TraceViewer.Tests.MetricSets;

/// <summary>
/// A small resampling job on an imported MATH problem: the computed set rests on 8 resamples at 2 positions, the imported
/// values on 100 alternatives at each of 139; the imported effects stay shown, the page says why, and "all" shows the
/// computed set. The counts the API gives agree with the shown set.
/// </summary>
public abstract class ShownCoverageTests : IAsyncLifetime
{
    private const string MathBundle = "deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330";

    private LoopbackOpenAIServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackOpenAIServer.StartAsync();
        _server.Completion = _ => " So the total is 88572.\n</think>\n\nThe answer is \\boxed{88572}";
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    protected abstract TestApp Configure(TestApp app);

    private static JsonElement Outcome(JsonDocument trace) =>
        trace.RootElement.GetProperty("outcomes").EnumerateArray().Single(o => o.GetProperty("key").GetString() == OutcomeRegistry.IsCorrect);

    private static int WithEffect(JsonElement outcome) =>
        outcome.GetProperty("effects").EnumerateArray().Count(e => !string.Equals(e.GetProperty("direction").GetString(), "none", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task ASmallJobDoesNotHideTheImportedEffects()
    {
        await using var app = Configure(JobTestHost.Create(_server, concurrency: 2));
        await app.ImportAsync(SharedPaths.Fixtures("thought-anchors", MathBundle));
        int traceId;
        await using (var db = app.CreateDbContext())
        {
            traceId = await db.Set<Trace>().Where(t => t.SourcePath!.EndsWith("problem_330")).Select(t => t.Id).SingleAsync();
        }

        var client = app.CreateClient();
        using var before = JsonDocument.Parse(await client.GetStringAsync($"/api/traces/{traceId}"));
        var importedEffects = WithEffect(Outcome(before));
        var importedCount = Outcome(before).GetProperty("labelledResamples").GetInt32();

        var id = await JobTestHost.StartAsync(client, new { kind = "resample", traceId, positions = new { from = 1, to = 2 }, n = 4, provider = "loop" });
        var status = await JobTestHost.WaitFinishedAsync(client, id);
        Assert.Equal("Completed", status.GetProperty("status").GetString());
        await Wait.UntilAsync(async () =>
        {
            await using var db = app.CreateDbContext();
            return await db.Set<MetricSet>().AnyAsync(m => m.TraceId == traceId && m.Source == MetricSource.Computed && m.ResampleCount == 8);
        }, TimeSpan.FromSeconds(30), "the metrics recomputed from the job's 8 resamples");

        using var after = JsonDocument.Parse(await client.GetStringAsync($"/api/traces/{traceId}"));
        using var all = JsonDocument.Parse(await client.GetStringAsync($"/api/traces/{traceId}?resamples=all"));
        using var imported = JsonDocument.Parse(await client.GetStringAsync($"/api/traces/{traceId}?resamples=imported"));

        Assert.True(importedEffects > 0, $"{importedEffects} sentences with an effect imported");
        var shown = Outcome(after);
        Assert.Equal("Imported", shown.GetProperty("provenance").GetProperty("source").GetString());
        Assert.Equal(importedEffects, WithEffect(shown));
        Assert.Equal(importedCount, shown.GetProperty("labelledResamples").GetInt32());
        Assert.Equal(
            $"Imported values shown: the computed set rests on 8 resamples over 2 positions, less than the imported set's {importedCount:N0} resamples over 139 positions.",
            shown.GetProperty("provenance").GetProperty("reason").GetString());
        Assert.Equal(WithEffect(shown), WithEffect(Outcome(imported)));

        // "all": the set computed from every labelled resample, here only the job's (the imported alternatives carry no answers).
        var computed = Outcome(all);
        Assert.Equal("Computed", computed.GetProperty("provenance").GetProperty("source").GetString());
        Assert.Equal(8, computed.GetProperty("labelledResamples").GetInt32());
        Assert.Equal(8, computed.GetProperty("provenance").GetProperty("resampleCount").GetInt32());
        Assert.True(WithEffect(computed) < importedEffects, $"{WithEffect(computed)} of {importedEffects}");
        Console.WriteLine($"coverage: imported {importedEffects} sentences with an effect on {importedCount} resamples; computed {WithEffect(computed)} on 8");
    }
}

public sealed class ShownCoverageSqliteTests : ShownCoverageTests
{
    protected override TestApp Configure(TestApp app) => app;
}

[Collection(TraceViewer.Tests.Data.PostgresServerGroup.Name)]
public sealed class ShownCoveragePostgresTests(PostgresServer postgres) : ShownCoverageTests
{
    protected override TestApp Configure(TestApp app) => app
        .WithPostgres(postgres);
}
