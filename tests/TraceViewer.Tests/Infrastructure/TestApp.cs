using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;

namespace TraceViewer.Tests;

/// <summary>The real app on its own SQLite file, with sample data off and a manual clock.</summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    private readonly string _directory = Directory.CreateTempSubdirectory("traceviewer-test-").FullName;

    internal ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private readonly Dictionary<string, string?> _settings = [];

    public string DatabasePath => Path.Combine(_directory, "test.db");

    /// <summary>Adds a configuration value; call before the first request or service use.</summary>
    public TestApp WithSetting(string key, string? value)
    {
        _settings[key] = value;
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

        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    internal TraceViewerDbContext CreateDbContext() =>
        Services.CreateScope().ServiceProvider.GetRequiredService<TraceViewerDbContext>();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
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
