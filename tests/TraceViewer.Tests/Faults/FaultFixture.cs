using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Tests.Jobs;

namespace TraceViewer.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class FaultGroup : ICollectionFixture<FaultFixture>
{
    // One at a time: each starts real app processes.
    public const string Name = "Fault tests";
}

/// <summary>
/// What the fault tests share: the loopback OpenAI-compatible server the child apps use as provider "loop", and a
/// migrated database with one five-sentence trace that each test copies.
/// </summary>
public sealed class FaultFixture : IAsyncLifetime
{
    private readonly string _template = Directory.CreateTempSubdirectory("traceviewer-fault-template-").FullName;
    private readonly System.Collections.Concurrent.ConcurrentBag<string> _directories = [];

    internal LoopbackOpenAIServer Server { get; private set; } = default!;

    public int TraceId { get; private set; }

    public int Migrations { get; private set; }

    /// <summary>The trace's stored resample count before any job (the seeder counts resamples it then removes).</summary>
    public int ResampleCountBefore { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await LoopbackOpenAIServer.StartAsync();
        Server.Completion = JobTestHost.Script;
        Server.RecordBodies = false;
        await using var app = new TestApp(_template);
        TraceId = (await JobTestHost.SeedAsync(app)).TraceId;
        await using var db = app.CreateDbContext();
        Migrations = db.Database.GetMigrations().Count();
        ResampleCountBefore = await db.Set<TraceViewer.Traces.Trace>().Where(t => t.Id == TraceId).Select(t => t.ResampleCount).SingleAsync();
    }

    /// <summary>A fresh folder holding a copy of the template database as tv.db.</summary>
    public string CopyDatabase()
    {
        SqliteConnection.ClearAllPools();
        var directory = NewDirectory();
        File.Copy(Path.Combine(_template, "test.db"), Path.Combine(directory, "tv.db"));
        return directory;
    }

    public string NewDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("traceviewer-fault-").FullName;
        _directories.Add(directory);
        // Readable by the unprivileged user some tests run the app as.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        }
        return directory;
    }

    /// <summary>Settings every child app gets: its database in its folder, and the loopback provider with fast retries.</summary>
    internal Dictionary<string, string?> Settings(string directory, bool sampleData = false) => new()
    {
        ["ConnectionStrings:TraceViewer"] = $"Data Source={Path.Combine(directory, "tv.db")}",
        ["SampleData:ImportOnStart"] = sampleData ? "true" : "false",
        ["Providers:loop:BaseUrl"] = Server.BaseUrl,
        ["Providers:loop:Models:0"] = "model-x",
        ["Providers:loop:PrefillFlag"] = "prefix",
        ["Providers:loop:MaxConcurrentRequests"] = "4",
        ["Jobs:BaseBackoff"] = "00:00:00.010",
        ["Jobs:MaxBackoff"] = "00:00:00.050",
        ["Jobs:PollInterval"] = "00:00:00.050",
        // A killed app's items are claimed again this soon after its last renewal: short for the test, long enough
        // that a restarted app is still waiting for them when the next kill comes.
        ["Jobs:Lease"] = "00:00:05",
        ["Jobs:StorageBackoff"] = "00:00:00.050",
        ["Jobs:MaxStorageBackoff"] = "00:00:00.500",
    };

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var directory in _directories.Append(_template))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>PRAGMA integrity_check of a database file the app left behind (rolling back or replaying its journal first).</summary>
    public static async Task<string> IntegrityAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
