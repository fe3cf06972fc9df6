using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace TraceViewer.Tests;

/// <summary>
/// Makes the app's own SQLite writes fail with the error a failing disk gives ("disk I/O error") while
/// <see cref="Failing"/> is set. Reads still work. The real thing (a file-size limit) runs in the fault tests; this
/// one is quick and can be switched on and off at an exact moment.
/// </summary>
internal sealed class FailingWrites : DbCommandInterceptor
{
    private int _refused;

    public volatile bool Failing;

    public int Refused => _refused;

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Check(command);
        return base.ReaderExecuting(command, eventData, result);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Check(command);
        return base.NonQueryExecuting(command, eventData, result);
    }

    private void Check(DbCommand command)
    {
        var text = command.CommandText.TrimStart();
        if (Failing && (text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase)))
        {
            Interlocked.Increment(ref _refused);
            throw new SqliteException("SQLite Error 10: 'disk I/O error'.", 10);
        }
    }
}
