using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;

namespace TraceViewer.Tests;

/// <summary>The real app on its own SQLite file, with sample data off and a manual clock.</summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    private readonly string _directory;
    private readonly bool _ownsDirectory;
    private readonly List<Action<IServiceCollection>> _services = [];
    private bool _systemClock;

    public TestApp()
        : this(Directory.CreateTempSubdirectory("traceviewer-test-").FullName, ownsDirectory: true)
    {
    }

    /// <summary>An app on the database in <paramref name="directory"/>, e.g. a second host on the same file as a stopped one (internal: xunit fixtures need one public constructor).</summary>
    internal TestApp(string directory, bool ownsDirectory = false)
    {
        _directory = directory;
        _ownsDirectory = ownsDirectory;
    }

    public string DirectoryPath => _directory;

    internal ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private readonly Dictionary<string, string?> _settings = [];

    public string DatabasePath => Path.Combine(_directory, "test.db");

    /// <summary>Adds a configuration value; call before the first request or service use.</summary>
    public TestApp WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Runs the app on the real clock (for background work that waits for time to pass).</summary>
    public TestApp WithSystemClock()
    {
        _systemClock = true;
        return this;
    }

    /// <summary>Changes services after the app's own registrations.</summary>
    public TestApp WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:TraceViewer", $"Data Source={DatabasePath}");
        builder.UseSetting("SampleData:ImportOnStart", "false");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(_systemClock ? TimeProvider.System : Clock);
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
    }

    /// <summary>A context on a database file without a running app.</summary>
    internal static TraceViewerDbContext OpenDatabase(string path) =>
        new SqliteTraceViewerDbContext(new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<SqliteTraceViewerDbContext>()
            .UseSqlite($"Data Source={path}").Options);

    internal TraceViewerDbContext CreateDbContext() =>
        Services.CreateScope().ServiceProvider.GetRequiredService<TraceViewerDbContext>();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (!_ownsDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing connection; the temp folder is cleaned by the OS.
        }
    }
}
