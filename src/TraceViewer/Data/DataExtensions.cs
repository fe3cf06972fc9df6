using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace TraceViewer.Data;

internal static class DataExtensions
{
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var configured = builder.Configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        string? readOnly = database.ReadOnly ? "Database:ReadOnly is set" : null;
        if (database.IsPostgres)
        {
            if (string.IsNullOrWhiteSpace(configured))
            {
                throw new InvalidOperationException(
                    "Database:Provider is PostgreSQL but ConnectionStrings:TraceViewer is not set (e.g. \"Host=db;Database=traceviewer;Username=traceviewer\").");
            }

            builder.Services.AddDbContext<TraceViewerDbContext, PostgresTraceViewerDbContext>(
                (services, options) => Shared(options.UseNpgsql(configured), services));
        }
        else
        {
            var file = SqliteFile.Open(configured ?? DatabaseOptions.DefaultConnectionString, builder.Environment.ContentRootPath, readOnly);
            readOnly = file.ReadOnlyReason;
            builder.Services.AddSingleton(file);
            builder.Services.AddDbContext<TraceViewerDbContext, SqliteTraceViewerDbContext>(
                (services, options) => Shared(options.UseSqlite(file.ConnectionString), services));
        }

        builder.Services.AddSingleton(sp => new DatabaseAccess(sp.GetRequiredService<TimeProvider>()) { ReadOnlyReason = readOnly });
        return builder;
    }

    /// <summary>
    /// What both providers share: the save interceptors, and no warning for a row limit without an order, which the
    /// search's capped count uses on purpose so the database stops at the limit (docs/decisions/0045).
    /// </summary>
    private static void Shared(DbContextOptionsBuilder options, IServiceProvider services) =>
        options.AddInterceptors(services.GetServices<ISaveChangesInterceptor>())
            .ConfigureWarnings(w => w.Ignore(CoreEventId.RowLimitingOperationWithoutOrderByWarning));
}

/// <summary>
/// The SQLite file behind the connection string, and whether it can be written. A file (or folder) this process cannot
/// write is opened read-only instead of failing at the first write; a folder that cannot even hold SQLite's
/// <c>-shm</c> file is opened as immutable (nothing else can change it either).
/// </summary>
internal sealed record SqliteFile(string ConnectionString, string? Path, string? ReadOnlyReason)
{
    public static SqliteFile Open(string connectionString, string contentRoot, string? readOnlyReason)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString);
        if (csb.DataSource is not { Length: > 0 } source || source == ":memory:" || csb.Mode == SqliteOpenMode.Memory
            || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return new SqliteFile(csb.ToString(), null, readOnlyReason);
        }

        var path = System.IO.Path.GetFullPath(System.IO.Path.IsPathRooted(source) ? source : System.IO.Path.Combine(contentRoot, source));
        csb.DataSource = path;
        var folder = System.IO.Path.GetDirectoryName(path)!;
        if (csb.Mode == SqliteOpenMode.ReadOnly)
        {
            readOnlyReason ??= "the connection string says Mode=ReadOnly";
        }
        else if (File.Exists(path))
        {
            readOnlyReason ??= !CanWrite(path) ? $"the file {path} cannot be written"
                : !CanCreateIn(folder) ? $"the folder {folder} cannot be written" : null;
        }
        else
        {
            Directory.CreateDirectory(folder);
            if (readOnlyReason is null && !CanCreateIn(folder))
            {
                throw new InvalidOperationException(
                    $"The database {path} does not exist and its folder {folder} cannot be written, so it cannot be created. "
                    + "Point ConnectionStrings:TraceViewer at a writable place or an existing database.");
            }
        }

        if (readOnlyReason is not null && !File.Exists(path))
        {
            throw new InvalidOperationException($"The database is to be opened read-only ({readOnlyReason}) but {path} does not exist.");
        }

        if (readOnlyReason is null)
        {
            return new SqliteFile(csb.ToString(), path, null);
        }

        csb.Mode = SqliteOpenMode.ReadOnly;
        // In WAL mode a reader needs the -shm file; in a folder nobody can write, the file can only be read as immutable.
        if (File.Exists(path) && !File.Exists(path + "-wal") && !CanCreateIn(folder))
        {
            csb.DataSource = new Uri(path).AbsoluteUri + "?immutable=1";
        }

        return new SqliteFile(csb.ToString(), path, readOnlyReason);
    }

    private static bool CanWrite(string path)
    {
        try
        {
            // Opened and closed before any SQLite connection of this process exists, so no lock of SQLite's is lost.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    private static bool CanCreateIn(string folder)
    {
        var probe = System.IO.Path.Combine(folder, $".traceviewer-write-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }

            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }
}
