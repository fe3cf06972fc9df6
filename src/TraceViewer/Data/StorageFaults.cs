using Microsoft.Data.Sqlite;
using Npgsql;

namespace TraceViewer.Data;

/// <summary>
/// Tells a failing disk or database (full, I/O error, read-only, locked, unreachable) from a bug: the first is worth
/// waiting out and retrying and is reported as "storage unavailable"; the second is not.
/// </summary>
internal static class StorageFaults
{
    // SQLite primary result codes (https://sqlite.org/rescode.html).
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteNoMemory = 7, SqliteReadOnly = 8, SqliteIoError = 10, SqliteFull = 13, SqliteCantOpen = 14, SqliteProtocol = 15;

    /// <summary>A short description of the storage fault behind <paramref name="exception"/>, or null when it is something else.</summary>
    public static string? Describe(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite:
                    return sqlite.SqliteErrorCode switch
                    {
                        SqliteFull => "the database or disk is full",
                        SqliteIoError => "disk I/O error",
                        SqliteReadOnly => "the database is read-only",
                        SqliteBusy or SqliteLocked or SqliteProtocol => "the database is locked by another writer",
                        SqliteCantOpen => "the database file cannot be opened",
                        SqliteNoMemory => "out of memory",
                        _ => null,
                    };
                case PostgresException postgres:
                    return postgres.SqlState switch
                    {
                        "53100" => "the database server's disk is full",
                        "25006" => "the database is read-only (read-only transaction)",
                        "57P01" or "57P02" or "57P03" => "the database server is shutting down or starting",
                        _ when postgres.SqlState.StartsWith("53", StringComparison.Ordinal) => "the database server is out of resources",
                        _ when postgres.SqlState.StartsWith("08", StringComparison.Ordinal) => "the connection to the database server failed",
                        _ => null,
                    };
                case NpgsqlException { IsTransient: true }:
                    return "the database server cannot be reached";
            }
        }

        return null;
    }
}
