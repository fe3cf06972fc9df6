using Microsoft.EntityFrameworkCore;
using TraceViewer.Jobs;
using TraceViewer.Resampling;

namespace TraceViewer.Tests.Jobs;

/// <summary>
/// Real app processes on one PostgreSQL database, with the loopback OpenAI-compatible server as their provider "loop",
/// and an in-process app on the same database (worker off) that seeds the trace and reads what the processes wrote.
/// Each process has a home folder of its own, so nothing but the database is shared between them.
/// </summary>
internal sealed class SharedDatabaseInstances : IAsyncDisposable
{
    private readonly List<AppProcess> _apps = [];
    private readonly List<string> _folders = [];

    private SharedDatabaseInstances(PostgresServer postgres, LoopbackOpenAIServer server)
    {
        Connection = postgres.NewDatabaseConnectionString();
        Server = server;
        Checker = new TestApp().WithPostgres(Connection).WithSetting("Jobs:WorkerEnabled", "false");
    }

    public string Connection { get; }

    public LoopbackOpenAIServer Server { get; }

    /// <summary>The in-process app that seeds and reads the database; its worker is off.</summary>
    public TestApp Checker { get; }

    public int TraceId { get; private set; }

    /// <summary>The trace's stored resample count before any job (the seeder counts resamples it then removes).</summary>
    public int ResampleCountBefore { get; private set; }

    /// <summary>A migrated database holding the five-sentence scratchpad trace, with no resamples.</summary>
    public static async Task<SharedDatabaseInstances> CreateAsync(PostgresServer postgres, LoopbackOpenAIServer server)
    {
        var shared = new SharedDatabaseInstances(postgres, server);
        shared.TraceId = (await JobTestHost.SeedAsync(shared.Checker)).TraceId;
        await using var db = shared.Checker.CreateDbContext();
        shared.ResampleCountBefore = await db.Set<TraceViewer.Traces.Trace>().Where(t => t.Id == shared.TraceId).Select(t => t.ResampleCount).SingleAsync();
        return shared;
    }

    /// <summary>Starts an app process on the shared database; <paramref name="lease"/> is its Jobs:Lease.</summary>
    public AppProcess Start(TimeSpan lease, IReadOnlyDictionary<string, string?>? more = null)
    {
        var folder = Directory.CreateTempSubdirectory("traceviewer-instance-").FullName;
        _folders.Add(folder);
        var settings = new Dictionary<string, string?>
        {
            ["HOME"] = folder,
            ["Database:Provider"] = "PostgreSQL",
            ["ConnectionStrings:TraceViewer"] = Connection,
            ["SampleData:ImportOnStart"] = "false",
            ["Providers:loop:BaseUrl"] = Server.BaseUrl,
            ["Providers:loop:Models:0"] = "model-x",
            ["Providers:loop:PrefillFlag"] = "prefix",
            ["Providers:loop:MaxConcurrentRequests"] = "4",
            ["Jobs:BaseBackoff"] = "00:00:00.010",
            ["Jobs:MaxBackoff"] = "00:00:00.050",
            ["Jobs:PollInterval"] = "00:00:00.050",
            ["Jobs:Lease"] = lease.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var app = AppProcess.Start(folder, settings);
        _apps.Add(app);
        return app;
    }

    /// <summary>The instance id a process's worker claims under (host/pid/random), from its start-up line.</summary>
    public static async Task<string> InstanceAsync(AppProcess app)
    {
        const string Marker = "Jobs worker started as instance ";
        await app.WaitForOutputAsync(l => l.Contains(Marker, StringComparison.Ordinal), "the worker to start");
        var line = app.Lines.First(l => l.Contains(Marker, StringComparison.Ordinal));
        var id = line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..].Split(';')[0];
        Assert.Equal(app.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), id.Split('/')[1]);
        return id;
    }

    public async Task<List<JobItem>> ItemsAsync(int jobId)
    {
        await using var db = Checker.CreateDbContext();
        return await db.Set<JobItem>().AsNoTracking().Where(i => i.JobId == jobId).ToListAsync();
    }

    /// <summary>
    /// Exactly one stored resample per item, under the item's own (position, sample), every item done, and the trace's
    /// count matching: nothing lost, nothing doubled.
    /// </summary>
    public async Task AssertEveryItemStoredOnceAsync(int jobId, int total)
    {
        await using var db = Checker.CreateDbContext();
        var items = await db.Set<JobItem>().AsNoTracking().Where(i => i.JobId == jobId).ToListAsync();
        var resamples = await db.Set<Resample>().AsNoTracking().Where(r => r.TraceId == TraceId).Select(r => new { r.Position, r.SampleIndex }).ToListAsync();
        Assert.Equal(total, items.Count);
        Assert.All(items, i => Assert.Equal(JobItemStatus.Done, i.Status));
        Assert.Equal(total, resamples.Count);
        Assert.Equal(
            items.Select(i => (i.Position, i.SampleIndex)).Order(),
            resamples.Select(r => (r.Position, r.SampleIndex)).Order());
        Assert.Equal(total, await db.Set<ResampleLabel>().CountAsync(l => db.Set<Resample>().Any(r => r.Id == l.ResampleId && r.TraceId == TraceId)));
        Assert.Equal(ResampleCountBefore + total, await db.Set<TraceViewer.Traces.Trace>().Where(t => t.Id == TraceId).Select(t => t.ResampleCount).SingleAsync());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        await Checker.DisposeAsync();
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
