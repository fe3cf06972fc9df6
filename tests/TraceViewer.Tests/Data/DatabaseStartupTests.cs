using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceViewer.Data;

namespace TraceViewer.Tests.Data;

public sealed class DatabaseStartupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("traceviewer-startup-").FullName;

    private string DatabasePath => Path.Combine(_directory, "test.db");

    [Fact]
    public async Task AMigrationLockLeftByAKilledStartIsRemovedAndTheAppStarts()
    {
        await using (var first = new TestApp(_directory))
        {
            _ = first.Services;
        }

        // What a process killed while holding EF's migration lock leaves behind.
        await ExecuteAsync("INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, '2026-01-02 03:04:05+00:00')");
        var logs = new CapturingLoggerProvider();
        await using var second = new TestApp(_directory).WithServices(s => s.AddSingleton<ILoggerProvider>(logs));

        var response = await WithinAsync(TimeSpan.FromSeconds(30), () => second.CreateClient().GetAsync("/api/datasets"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Removed a migration lock left at 2026-01-02 03:04:05", StringComparison.Ordinal));
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM \"__EFMigrationsLock\""));
    }

    [Fact]
    public async Task WhileAnotherProcessMigratesStartUpWaitsAndThenFailsWithAMessage()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = new TestApp(_directory)
            .WithSetting("Database:MigrationLockTimeout", "00:00:01")
            .WithServices(s => s.AddSingleton<ILoggerProvider>(logs));
        using var held = new FileStream(MigrationLock.PathFor(DatabasePath), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var error = await WithinAsync(TimeSpan.FromSeconds(30), () => Task.FromResult(Assert.ThrowsAny<Exception>(() => app.Services)));

        var message = error is AggregateException { InnerException: { } inner } ? inner.Message : error.Message;
        Assert.Contains("Another process has been migrating", message, StringComparison.Ordinal);
        Assert.Contains("Database:MigrationLockTimeout", message, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, l => l.Contains("Another process is migrating the database", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigratingAFreshDatabaseRunsEveryStepInsideATransaction()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = new TestApp(_directory)
            .WithSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Migrations", "Information")
            .WithServices(s => s.AddSingleton<ILoggerProvider>(logs));

        _ = app.Services;

        using var db = app.CreateDbContext();
        var migrations = db.Database.GetMigrations().Count();
        Assert.Contains(logs.Lines, l => l.Contains($"Applying {migrations} migration(s)", StringComparison.Ordinal));
        // EF warns about statements it has to run outside the transaction (SQLite table rebuilds switch foreign keys off).
        Assert.DoesNotContain(logs.Lines, l => l.Contains("cannot be executed in a transaction", StringComparison.Ordinal));
        Assert.Equal("ok", await ScalarAsync("PRAGMA integrity_check"));
        Assert.Equal(0L, await ScalarAsync("SELECT \"notnull\" FROM pragma_table_info('JobItem') WHERE name = 'TraceId'"));
        Assert.Equal(6L, await ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'JobItem'"));
    }

    private static async Task<T> WithinAsync<T>(TimeSpan limit, Func<Task<T>> action)
    {
        try
        {
            return await Task.Run(action).WaitAsync(limit);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Start-up did not finish within {limit.TotalSeconds} s.", e);
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
