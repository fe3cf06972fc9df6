using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using TraceViewer.Data;

namespace TraceViewer.Tests;

/// <summary>Records every query a context runs, with its parameters, so a test can ask the database for its plan.</summary>
internal sealed class CommandCapture : DbCommandInterceptor
{
    public List<(string Sql, List<(string Name, object? Value)> Parameters)> Commands { get; } = [];

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Commands.Add((command.CommandText, [.. command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value))]));
        return ValueTask.FromResult(result);
    }
}

/// <summary>Query plans on either provider: a context on a test app's database with an interceptor, and EXPLAIN.</summary>
internal static class QueryPlans
{
    /// <summary>A context of the app's provider on its database, with <paramref name="interceptor"/> added.</summary>
    public static TraceViewerDbContext ContextWith(TestApp app, bool postgres, IInterceptor interceptor)
    {
        if (postgres)
        {
            using var appDb = app.CreateDbContext();
            var connection = appDb.Database.GetConnectionString();
            return new PostgresTraceViewerDbContext(new DbContextOptionsBuilder<PostgresTraceViewerDbContext>().UseNpgsql(connection).AddInterceptors(interceptor).Options);
        }

        return new SqliteTraceViewerDbContext(new DbContextOptionsBuilder<SqliteTraceViewerDbContext>()
            .UseSqlite($"Data Source={app.DatabasePath}").AddInterceptors(interceptor).Options);
    }

    /// <summary>
    /// How the database would run <paramref name="sql"/>: the plan's lines (SQLite's EXPLAIN QUERY PLAN details,
    /// PostgreSQL's EXPLAIN text), then a blank line and the SQL, for assertion messages. The context's connection
    /// must be open, so session settings made on it beforehand (such as PostgreSQL's enable_seqscan) apply.
    /// </summary>
    public static async Task<string> ExplainAsync(TraceViewerDbContext db, bool postgres, string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = (postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(reader.FieldCount - 1));
            }
        }

        return string.Join('\n', plan) + "\n\n" + sql;
    }
}
