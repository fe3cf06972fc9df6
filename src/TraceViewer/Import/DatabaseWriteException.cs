using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace TraceViewer.Import;

/// <summary>
/// The database refused an import's writes (a full disk, a file-size limit, a read-only or locked file). The import's
/// transaction was rolled back, so nothing of it was written; the message says what happened in words.
/// </summary>
internal sealed class DatabaseWriteException(string reason, Exception inner)
    : Exception($"the database could not be written: {reason}; nothing was imported", inner)
{
    /// <summary>A description of a storage failure, or null when <paramref name="e"/> is not one.</summary>
    public static string? Describe(Exception e) => e switch
    {
        DbUpdateException { InnerException: { } inner } => Describe(inner),
        SqliteException sqlite => (sqlite.SqliteErrorCode, sqlite.Message.TrimEnd('.')) switch
        {
            (13, var m) => $"disk full ({m})",
            (10, var m) => $"disk full or write error ({m}; a full disk and a file-size limit both end here)",
            (8, var m) => $"the database is read-only ({m})",
            (14, var m) => $"the database file could not be opened ({m})",
            (5 or 6, var m) => $"the database is locked by another process ({m})",
            (11 or 26, var m) => $"the database file is damaged ({m})",
            (_, var m) => $"SQLite refused the write ({m})",
        },
        Npgsql.PostgresException postgres => postgres.SqlState switch
        {
            "53100" => $"disk full ({postgres.MessageText})",
            "25006" => $"the database is read-only ({postgres.MessageText})",
            _ => $"PostgreSQL refused the write ({postgres.SqlState}: {postgres.MessageText})",
        },
        DbException db => $"the database refused the write ({db.Message})",
        IOException io when io.HResult is 28 or 27 => $"disk full ({io.Message})",
        _ => null,
    };
}
