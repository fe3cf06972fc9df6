using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;

namespace TraceViewer.Data;

/// <summary>
/// Brings the schema up to date before anything else runs (pages, commands, the jobs worker), so nothing is served from
/// a half-migrated database, then adds the built-in taxonomies. A database opened read-only is only checked: it must
/// already have the current schema.
/// </summary>
internal static partial class DatabaseStartup
{
    /// <summary>Progress is logged this often while start-up waits for a migration lock or a long migration.</summary>
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);

    public static async Task PrepareDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        var access = scope.ServiceProvider.GetRequiredService<DatabaseAccess>();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseStartup));
        if (!access.IsReadOnly && db.Database.IsNpgsql() && await IsReadOnlyServerAsync(db, ct))
        {
            access.ReadOnlyReason = "the PostgreSQL server opens transactions read-only";
        }

        if (access.IsReadOnly)
        {
            await CheckReadOnlySchemaAsync(db, access.ReadOnlyReason!, logger, ct);
            return;
        }

        if (db.Database.IsSqlite() && scope.ServiceProvider.GetService<SqliteFile>()?.Path is { } path)
        {
            await using var held = await MigrationLock.AcquireAsync(path, options.MigrationLockTimeout, logger, ct);
            await ClearStaleSqliteLockAsync(db, logger, ct);
            await MigrateAsync(db, logger, ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await Tags.TaxonomySeeder.SeedAsync(db, ct);
            await RunStartupStepsAsync(scope.ServiceProvider, db, ct);
            return;
        }

        // PostgreSQL: EF locks the history table inside the migration's transaction, so the server releases the lock
        // when a migrating process dies; another instance migrating is simply waited for (and logged).
        await MigrateAsync(db, logger, ct);
        await Tags.TaxonomySeeder.SeedAsync(db, ct);
        await RunStartupStepsAsync(scope.ServiceProvider, db, ct);
    }

    /// <summary>Lets features fill what they derive from stored data (after a migration added it), in registration order.</summary>
    private static async Task RunStartupStepsAsync(IServiceProvider services, TraceViewerDbContext db, CancellationToken ct)
    {
        foreach (var step in services.GetServices<IDatabaseStartupStep>())
        {
            await step.RunAsync(db, ct);
        }
    }

    private static async Task MigrateAsync(TraceViewerDbContext db, ILogger logger, CancellationToken ct)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            LogApplying(logger, pending.Count, pending);
        }

        var started = TimeProvider.System.GetTimestamp();
        using var heartbeat = new Timer(_ => LogStillMigrating(logger, TimeProvider.System.GetElapsedTime(started).TotalSeconds), null, Heartbeat, Heartbeat);
        await db.Database.MigrateAsync(ct);
    }

    /// <summary>
    /// EF marks a SQLite migration in progress with a row in <c>__EFMigrationsLock</c> and waits, silently and forever,
    /// while it is there; a process killed while migrating leaves it behind. Every TraceViewer process migrates only while
    /// holding <see cref="MigrationLock"/>, which the operating system releases when a process dies, so a row found while
    /// holding it was left by a start-up that never finished, and is removed.
    /// </summary>
    private static async Task ClearStaleSqliteLockAsync(TraceViewerDbContext db, ILogger logger, CancellationToken ct)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var exists = connection.CreateCommand();
            exists.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'";
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return;
            }

            await using var clear = connection.CreateCommand();
            clear.CommandText = "DELETE FROM \"__EFMigrationsLock\" RETURNING \"Timestamp\"";
            await using var reader = await clear.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                LogStaleLockCleared(logger, reader.IsDBNull(0) ? "an unknown time" : reader.GetString(0));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>A standby, or a database or role with default_transaction_read_only; a database that does not exist yet is created by migrating.</summary>
    private static async Task<bool> IsReadOnlyServerAsync(TraceViewerDbContext db, CancellationToken ct) =>
        await db.Database.CanConnectAsync(ct)
        && await db.Database.SqlQueryRaw<string>("SELECT current_setting('transaction_read_only') AS \"Value\"").SingleAsync(ct) == "on";

    private static async Task CheckReadOnlySchemaAsync(TraceViewerDbContext db, string reason, ILogger logger, CancellationToken ct)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            throw new InvalidOperationException(
                $"The database is open read-only ({reason}) but its schema is older than this version of TraceViewer: "
                + $"{pending.Count} migration(s) to apply ({string.Join(", ", pending)}). Start once with write access to upgrade it.");
        }

        LogReadOnly(logger, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} migration(s): {Migrations}")]
    private static partial void LogApplying(ILogger logger, int count, IReadOnlyList<string> migrations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Still applying migrations (or waiting for another instance that applies them) after {Seconds:F0} s")]
    private static partial void LogStillMigrating(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed a migration lock left at {Timestamp} by a start-up that did not finish; migrating now")]
    private static partial void LogStaleLockCleared(ILogger logger, string timestamp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is open read-only ({Reason}): the schema is current; migrations, sample data and jobs are skipped and changes are refused")]
    private static partial void LogReadOnly(ILogger logger, string reason);
}

/// <summary>
/// An exclusive lock on <c>&lt;database&gt;.migrations-lock</c> beside a SQLite file, held while a process migrates it.
/// The operating system drops it when the process ends, however it ends, so it can never be left behind.
/// </summary>
internal sealed partial class MigrationLock : IAsyncDisposable
{
    private readonly FileStream _file;

    private MigrationLock(FileStream file) => _file = file;

    public static string PathFor(string database) => database + ".migrations-lock";

    public static async Task<MigrationLock> AcquireAsync(string database, TimeSpan timeout, ILogger logger, CancellationToken ct)
    {
        var path = PathFor(database);
        var started = TimeProvider.System.GetTimestamp();
        var logged = false;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Unix and a share-mode lock on Windows.
                return new MigrationLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (TimeProvider.System.GetElapsedTime(started) < timeout)
            {
                if (!logged)
                {
                    LogWaiting(logger, path);
                    logged = true;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException(
                    $"Another process has been migrating {database} for over {timeout.TotalSeconds:F0} s (it holds {path}). Wait for it to finish "
                    + "and start again, or stop it; Database:MigrationLockTimeout sets how long start-up waits.", e);
            }
        }
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Another process is migrating the database (it holds {LockFile}); waiting for it")]
    private static partial void LogWaiting(ILogger logger, string lockFile);
}
