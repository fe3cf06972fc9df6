using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Import;
using TraceViewer.MetricSets;
using TraceViewer.Resampling;
using TraceViewer.Tests.Import;
using TraceViewer.Tests.Jobs;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Data;

[CollectionDefinition(Name)]
public sealed class PostgresServerGroup : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}

/// <summary>The same app on a real PostgreSQL server: same migrations applied, same data in, same documents out.</summary>
[Collection(PostgresServerGroup.Name)]
public sealed class PostgresTests(PostgresServer server) : IDisposable
{
    private readonly List<TestApp> _apps = [];

    private TestApp Postgres()
    {
        var app = new TestApp()
            .WithPostgres(server);
        _apps.Add(app);
        return app;
    }

    private TestApp Sqlite()
    {
        var app = new TestApp();
        _apps.Add(app);
        return app;
    }

    [Fact]
    public async Task ImportedTracesReadTheSameOnPostgresAsOnSqlite()
    {
        var postgres = Postgres();
        var sqlite = Sqlite();
        var fixtures = SharedPaths.Fixtures("thought-anchors");

        var onPostgres = await postgres.ImportAsync(fixtures);
        var onSqlite = await sqlite.ImportAsync(fixtures);

        Assert.Equal(onSqlite.TracesAdded, onPostgres.TracesAdded);
        Assert.Equal(onSqlite.Resamples, onPostgres.Resamples);
        Assert.True(onPostgres.TracesAdded >= 2);
        var postgresList = await GetJsonAsync(postgres, "/api/traces?pageSize=100");
        var sqliteList = await GetJsonAsync(sqlite, "/api/traces?pageSize=100");
        Assert.Equal(sqliteList.ToJsonString(), postgresList.ToJsonString());
        var alternatives = 0;
        foreach (var id in await TraceIdsAsync(sqlite))
        {
            var expected = await GetJsonAsync(sqlite, $"/api/traces/{id}");
            var actual = await GetJsonAsync(postgres, $"/api/traces/{id}");
            Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
            // A selected sentence's resamples, grouped with their labels in one command (UNION ALL, typed nulls on one side).
            foreach (var k in await PositionsAsync(sqlite, id))
            {
                var resamples = await ResamplesJsonAsync(sqlite, id, k);
                Assert.Equal(resamples, await ResamplesJsonAsync(postgres, id, k));
                alternatives += resamples.Contains("\"Alternatives\":[{", StringComparison.Ordinal) ? 1 : 0;
            }
        }

        Assert.True(alternatives > 0, "no sentence compared had resamples");
    }

    /// <summary>Up to 20 positions of a trace that have resamples.</summary>
    private static async Task<List<int>> PositionsAsync(TestApp app, int traceId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewer.Data.TraceViewerDbContext>();
        return await db.Set<Resample>().Where(r => r.TraceId == traceId).Select(r => r.Position).Distinct().OrderBy(p => p).Take(20).ToListAsync();
    }

    private static async Task<string> ResamplesJsonAsync(TestApp app, int traceId, int index)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var resamples = await scope.ServiceProvider.GetRequiredService<TraceQueries>().GetSentenceResamplesAsync(traceId, index, null, CancellationToken.None);
        return System.Text.Json.JsonSerializer.Serialize(resamples);
    }

    [Fact]
    public async Task ReimportingChangesNothingAndABrokenImportWritesNothing()
    {
        var app = Postgres();
        var fixtures = SharedPaths.Fixtures("thought-anchors");
        await app.ImportAsync(fixtures);
        var before = await CountsAsync(app);

        await app.ImportAsync(fixtures);
        Assert.Equal(before, await CountsAsync(app));

        using var broken = new SyntheticTrees();
        broken.WriteMathProblem("problem_9", ["One.", "Two."], [[Rollout.Positive], [Rollout.Negative]]);
        var solutions = Directory.GetFiles(broken.Root, "solutions.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Last();
        var text = await File.ReadAllTextAsync(solutions);
        await File.WriteAllTextAsync(solutions, text[..(text.Length / 2)]);

        await Assert.ThrowsAsync<ImportException>(() => app.ImportAsync(broken.Root));
        Assert.Equal(before, await CountsAsync(app));
    }

    [Fact]
    public async Task RecomputedMetricsMatchSqlite()
    {
        var postgres = Postgres();
        var sqlite = Sqlite();
        using var trees = new SyntheticTrees();
        trees.WriteMathProblem(
            "problem_3",
            ["Add the numbers.", "Two plus three is five.", "So the answer is 5."],
            [
                [Rollout.Positive, Rollout.Negative, Rollout.Positive, Rollout.Positive],
                [Rollout.Negative, Rollout.Negative, Rollout.Positive, Rollout.Negative],
                [Rollout.Positive, Rollout.Positive, Rollout.Positive, Rollout.Negative],
            ]);
        await postgres.ImportAsync(trees.Root);
        await sqlite.ImportAsync(trees.Root);
        var traceId = await LabelledTraceAsync(sqlite);

        var fromPostgres = await RecomputeAsync(postgres, traceId);
        var fromSqlite = await RecomputeAsync(sqlite, traceId);

        Assert.NotEmpty(fromSqlite);
        Assert.Equal(fromSqlite.Count, fromPostgres.Count);
        foreach (var (key, value) in fromSqlite)
        {
            Assert.Equal(value, fromPostgres[key], 12);
        }
    }

    [Fact]
    public async Task AResampleJobRunsToCompletionOnPostgres()
    {
        await using var loopback = await LoopbackOpenAIServer.StartAsync();
        loopback.Completion = JobTestHost.Script;
        var app = JobTestHost.Create(loopback)
            .WithPostgres(server);
        _apps.Add(app);
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();

        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, positions = new { from = 1, to = 4 }, n = 3, provider = "loop" });
        var status = await JobTestHost.WaitFinishedAsync(client, id, seconds: 60);

        Assert.Equal("Completed", status.GetProperty("status").GetString());
        Assert.Equal(12, status.GetProperty("done").GetInt32());
        var resamples = await JobTestHost.ResamplesAsync(app, trace.TraceId);
        Assert.Equal(12, resamples.Count);
        foreach (var position in Enumerable.Range(1, 4))
        {
            Assert.Equal([0, 1, 2], resamples.Where(r => r.Position == position).Select(r => r.SampleIndex).Order());
        }

        Assert.All(resamples, r => Assert.Equal(r.Position == 4, r.Labels.Single().IsPositive));
    }

    [Fact]
    public void PostgresWithoutAConnectionStringStopsWithAClearError()
    {
        using var app = new TestApp().WithPostgres(connectionString: "");

        var error = Assert.Throws<InvalidOperationException>(() => app.Services);

        Assert.Contains("ConnectionStrings:TraceViewer", error.Message, StringComparison.Ordinal);
    }

    private static async Task<JsonNode> GetJsonAsync(TestApp app, string url)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task<List<int>> TraceIdsAsync(TestApp app)
    {
        using var db = app.CreateDbContext();
        return await db.Set<Trace>().OrderBy(t => t.Id).Select(t => t.Id).ToListAsync();
    }

    private static async Task<int> LabelledTraceAsync(TestApp app)
    {
        using var db = app.CreateDbContext();
        return await db.Set<Trace>().Where(t => t.HasLabelledResamples).OrderBy(t => t.Id).Select(t => t.Id).FirstAsync();
    }

    private static async Task<(int Traces, int Sentences, int Resamples)> CountsAsync(TestApp app)
    {
        using var db = app.CreateDbContext();
        return (await db.Set<Trace>().CountAsync(), await db.Set<Sentence>().CountAsync(), await db.Set<Resample>().CountAsync());
    }

    /// <summary>Recomputes a trace and returns its stored computed values keyed by outcome, sentence and name.</summary>
    private static async Task<Dictionary<string, double>> RecomputeAsync(TestApp app, int traceId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<MetricsRecomputer>().RecomputeTraceAsync(traceId, CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<TraceViewer.Data.TraceViewerDbContext>();
        var values = await (from m in db.Set<SentenceMetric>()
                            join s in db.Set<MetricSet>() on m.MetricSetId equals s.Id
                            where s.TraceId == traceId && s.Source == MetricSource.Computed
                            select new { s.OutcomeId, m.SentenceIndex, m.Name, m.Value }).ToListAsync();
        return values.ToDictionary(v => $"{v.OutcomeId}/{v.SentenceIndex}/{v.Name}", v => v.Value);
    }

    public void Dispose()
    {
        foreach (var app in _apps)
        {
            app.Dispose();
        }
    }
}
