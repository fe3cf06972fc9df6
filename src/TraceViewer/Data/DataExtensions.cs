using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace TraceViewer.Data;

internal static class DataExtensions
{
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DatabaseAccess>();
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var configured = builder.Configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        if (database.IsPostgres)
        {
            if (string.IsNullOrWhiteSpace(configured))
            {
                throw new InvalidOperationException(
                    "Database:Provider is PostgreSQL but ConnectionStrings:TraceViewer is not set (e.g. \"Host=db;Database=traceviewer;Username=traceviewer\").");
            }

            builder.Services.AddDbContext<TraceViewerDbContext, PostgresTraceViewerDbContext>(options => options.UseNpgsql(configured));
            return builder;
        }

        var connectionString = SqliteConnectionString(configured ?? DatabaseOptions.DefaultConnectionString, builder.Environment.ContentRootPath);
        builder.Services.AddDbContext<TraceViewerDbContext, SqliteTraceViewerDbContext>(options => options.UseSqlite(connectionString));
        return builder;
    }

    /// <summary>Resolves a relative SQLite file against the content root and makes sure its folder exists.</summary>
    internal static string SqliteConnectionString(string connectionString, string contentRoot)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString);
        if (csb.DataSource is { Length: > 0 } source && source != ":memory:" && csb.Mode != SqliteOpenMode.Memory)
        {
            var path = Path.GetFullPath(Path.IsPathRooted(source) ? source : Path.Combine(contentRoot, source));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            csb.DataSource = path;
        }

        return csb.ToString();
    }

    /// <summary>Applies migrations and switches SQLite to write-ahead logging.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }
}
