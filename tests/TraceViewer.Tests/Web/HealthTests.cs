using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TraceViewer.Data;
using TraceViewer.Jobs;
using TraceViewer.Web;

namespace TraceViewer.Tests.Web;

public sealed class HealthTests
{
    [Fact]
    public async Task LivenessAnswersWithoutCheckingAnything()
    {
        await using var app = new TestApp();

        using var response = await app.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadAsync(response);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Empty(body.GetProperty("checks").EnumerateArray());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task ReadinessNamesTheDatabaseAndTheRunningWorker()
    {
        await using var app = new TestApp().WithSystemClock();
        using var client = app.CreateClient();

        // The worker beats once it has reclaimed and gone round its loop; until then it is "not started yet".
        var body = await ReadyAsync(client);

        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var checks = Checks(body);
        Assert.Equal(["database", "startup", "worker"], checks.Keys.Order());
        Assert.Equal(("Healthy", "start-up work done"), checks["startup"]);
        Assert.Equal(("Healthy", "reachable, schema current"), checks["database"]);
        Assert.Equal("Healthy", checks["worker"].Status);
        Assert.StartsWith("went round", checks["worker"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWorkerTurnedOffOnPurposeIsReadyAndSaysWhy()
    {
        await using var app = new TestApp().WithSetting("Jobs:WorkerEnabled", "false");
        using var client = app.CreateClient();

        var body = await ReadyAsync(client);

        Assert.Equal(("Healthy", "not running: the worker is turned off (Jobs:WorkerEnabled is false)"), Checks(body)["worker"]);
    }

    [Fact]
    public async Task ADatabaseMissingItsSchemaIsNotReadyAndNamesTheMigrations()
    {
        await using var app = new TestApp().WithSetting("Jobs:WorkerEnabled", "false");
        using var client = app.CreateClient();
        using (var first = await client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // The file is replaced by an empty database behind the running app, as a wrong volume mount would.
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(app.DirectoryPath, "test.db*"))
        {
            File.Delete(file);
        }

        await File.WriteAllBytesAsync(app.DatabasePath, []);

        using var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await ReadAsync(response);
        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        var database = Checks(body)["database"];
        Assert.Equal("Unhealthy", database.Status);
        Assert.Matches(@"^\d+ migration\(s\) not applied: \d+_Initial, ", database.Description);
    }

    [Fact]
    public async Task AnUnreadableDatabaseIsUnhealthy()
    {
        var directory = Directory.CreateTempSubdirectory("traceviewer-health-");
        try
        {
            // A folder where the database file should be: SQLite cannot open it.
            var path = Path.Combine(directory.FullName, "db");
            Directory.CreateDirectory(path);
            await using var db = TestApp.OpenDatabase(path);
            var check = new DatabaseHealthCheck(db, new DatabaseAccess(TimeProvider.System));

            var result = await check.CheckHealthAsync(new HealthCheckContext());

            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.StartsWith("the database cannot be", result.Description, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AFailingDiskLeavesTheDatabaseReadableButDegraded()
    {
        await using var app = new TestApp().WithSetting("Jobs:WorkerEnabled", "false");
        using var client = app.CreateClient();
        using (await client.GetAsync("/readyz"))
        {
        }

        app.Services.GetRequiredService<DatabaseAccess>().ReportWriteFailure("disk I/O error");
        using var response = await client.GetAsync("/readyz");

        // Degraded still serves reads, so it stays in rotation (200), and says why.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var database = Checks(await ReadAsync(response))["database"];
        Assert.Equal("Degraded", database.Status);
        Assert.Contains("disk I/O error", database.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWorkerWhoseLoopStopsGoingRoundIsUnhealthy()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var options = new JobsOptions();
        var heartbeat = new JobWorkerHeartbeat(clock);
        var check = new WorkerHealthCheck(heartbeat, Options.Create(options));

        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        heartbeat.Beat();
        clock.Advance(JobWorkerHeartbeat.StallAfter(options));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        clock.Advance(TimeSpan.FromSeconds(1));
        var stalled = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, stalled.Status);
        Assert.Equal("stalled: the worker last went round 61 s ago (limit 60 s)", stalled.Description);

        heartbeat.Beat();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        heartbeat.Stopped();
        Assert.Equal("the worker has stopped", (await check.CheckHealthAsync(new HealthCheckContext())).Description);
    }

    [Fact]
    public void TheStallLimitFollowsTheWorkersOwnWaits()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), JobWorkerHeartbeat.StallAfter(new JobsOptions()));
        Assert.Equal(TimeSpan.FromSeconds(30), JobWorkerHeartbeat.StallAfter(new JobsOptions { PollInterval = TimeSpan.FromMilliseconds(100), MaxStorageBackoff = TimeSpan.FromSeconds(1) }));
        Assert.Equal(TimeSpan.FromSeconds(50), JobWorkerHeartbeat.StallAfter(new JobsOptions { PollInterval = TimeSpan.FromSeconds(5), MaxStorageBackoff = TimeSpan.FromSeconds(1) }));
    }

    /// <summary>The readiness answer once it is 200.</summary>
    private static async Task<JsonElement> ReadyAsync(HttpClient client)
    {
        JsonElement body = default;
        await Wait.UntilAsync(async () =>
        {
            using var response = await client.GetAsync("/readyz");
            body = await ReadAsync(response);
            return response.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), "the app to be ready");
        return body;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static Dictionary<string, (string Status, string Description)> Checks(JsonElement body) =>
        body.GetProperty("checks").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => (c.GetProperty("status").GetString()!, c.GetProperty("description").GetString()!));
}
