using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace TraceViewer.BrowserTests;

/// <summary>Records the text of every command the app sends to its database, so a test can count the reads a page makes.</summary>
internal sealed class QueryLog : DbCommandInterceptor
{
    private readonly ConcurrentQueue<string> _commands = new();

    /// <summary>Commands so far that read the given table.</summary>
    public int CountReading(string table) => _commands.Count(c => c.Contains($"FROM \"{table}\"", StringComparison.Ordinal));

    public IReadOnlyList<string> Commands => [.. _commands];

    /// <summary>Commands so far that read any of the given tables, each command counted once.</summary>
    public int CountReadingAny(params string[] tables) =>
        _commands.Count(c => tables.Any(t => c.Contains($"FROM \"{t}\"", StringComparison.Ordinal) || c.Contains($"JOIN \"{t}\"", StringComparison.Ordinal)));

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        _commands.Enqueue(command.CommandText);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        _commands.Enqueue(command.CommandText);
        return ValueTask.FromResult(result);
    }
}
