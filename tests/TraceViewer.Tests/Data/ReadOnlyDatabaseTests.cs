using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceViewer.Tests.Jobs;

namespace TraceViewer.Tests.Data;

/// <summary>
/// A database opened read-only (here through <c>Mode=ReadOnly</c>, which SQLite enforces even for root; the fault tests
/// cover a file and folder without write permission) serves every read and refuses every change with a message.
/// </summary>
public sealed class ReadOnlyDatabaseTests : IAsyncLifetime, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("traceviewer-readonly-").FullName;
    private readonly CapturingLoggerProvider _logs = new();
    private LoopbackOpenAIServer _server = null!;
    private SeededTrace _trace = null!;
    private int _jobId;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackOpenAIServer.StartAsync();
        await using (var writable = JobTestHost.Create(_server, _directory).WithSetting("Jobs:WorkerEnabled", "false"))
        {
            _trace = await TraceSeeder.SeedAsync(writable, new TraceSeed());
            _jobId = await JobTestHost.StartAsync(writable.CreateClient(), new { traceId = _trace.TraceId, positions = new { from = 0, to = 0 }, n = 1, provider = "loop" });
        }

        SqliteConnection.ClearAllPools();
        _app = JobTestHost.Create(_server, _directory)
            .WithSetting("ConnectionStrings:TraceViewer", $"Data Source={Path.Combine(_directory, "test.db")};Mode=ReadOnly")
            .WithServices(s => s.AddSingleton<ILoggerProvider>(_logs));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task PagesAndReadsWorkAndSayTheDatabaseIsReadOnly()
    {
        var client = _app.CreateClient();

        foreach (var url in new[] { "/datasets", "/traces", $"/traces/{_trace.TraceId}", $"/traces/{_trace.TraceId}/sentences/1", "/jobs", $"/jobs/{_jobId}", "/api/traces", $"/api/traces/{_trace.TraceId}", "/api/jobs" })
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
        }

        Assert.Contains("open read-only", await client.GetStringAsync("/datasets"), StringComparison.Ordinal);
        var job = await JobTestHost.StatusAsync(client, _jobId);
        Assert.Equal("Queued", job.GetProperty("status").GetString());
        Assert.Contains("Mode=ReadOnly", job.GetProperty("storageProblem").GetString(), StringComparison.Ordinal);
        Assert.Contains(_logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("open read-only", StringComparison.Ordinal) && l.Contains("schema is current", StringComparison.Ordinal));
        Assert.Contains(_logs.Lines, l => l.Contains("Jobs do not run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryChangeIsRefusedWithAProblemNamingTheCause()
    {
        var client = _app.CreateClient();

        var responses = new[]
        {
            await client.PostAsJsonAsync("/api/jobs", new { traceId = _trace.TraceId, n = 1, provider = "loop" }),
            await client.PostAsync($"/api/jobs/{_jobId}/cancel", null),
            await client.PostAsync($"/traces/{_trace.TraceId}/recompute", new FormUrlEncodedContent([new("threshold", "0.5")])),
            await client.PostAsync($"/api/jobs/{_jobId}/pause", null),
            await client.PostAsync("/import/upload", new MultipartFormDataContent()),
        };

        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("The database is read-only", problem.RootElement.GetProperty("title").GetString());
            Assert.Contains("Mode=ReadOnly", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Single(await JobTestHost.ItemsAsync(_app, _jobId));
    }

    [Fact]
    public async Task CommandsThatWriteFailWithAnExitCodeAndAMessage()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var import = await CommandLine.RunAsync(_app.Services, ["import", SharedPaths.Fixtures("thought-anchors")], output, error);
        var recompute = await CommandLine.RunAsync(_app.Services, ["recompute"], output, error);

        Assert.Equal(CommandLine.ReadOnlyExitCode, import);
        Assert.Equal(CommandLine.ReadOnlyExitCode, recompute);
        Assert.Contains("error: import changes the database, which is open read-only (the connection string says Mode=ReadOnly)", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingDatabaseToBeReadOnlyStopsStartUpWithAMessage()
    {
        await using var app = new TestApp(_directory).WithSetting("ConnectionStrings:TraceViewer", $"Data Source={Path.Combine(_directory, "missing.db")};Mode=ReadOnly");

        var error = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains("missing.db does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReadOnlyDatabaseWithAnOlderSchemaStopsStartUpWithAMessage()
    {
        var empty = Path.Combine(_directory, "empty.db");
        await using (var connection = new SqliteConnection($"Data Source={empty};Pooling=False"))
        {
            await connection.OpenAsync();
        }

        await using var app = new TestApp(_directory).WithSetting("ConnectionStrings:TraceViewer", $"Data Source={empty};Mode=ReadOnly");

        var error = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains("schema is older than this version", error.Message, StringComparison.Ordinal);
        Assert.Contains("Start once with write access", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _logs.Dispose();
}
