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
        SqliteException sqlite => sqlite.SqliteErrorCode switch
        {
            13 => $"disk full ({sqlite.Message})",
            10 => $"disk full or write error ({sqlite.Message}; a full disk and a file-size limit both end here)",
            8 => $"the database is read-only ({sqlite.Message})",
            14 => $"the database file could not be opened ({sqlite.Message})",
            5 or 6 => $"the database is locked by another process ({sqlite.Message})",
            11 or 26 => $"the database file is damaged ({sqlite.Message})",
            _ => $"SQLite refused the write ({sqlite.Message})",
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
