using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;

namespace TraceViewer.Tests.Data;

public sealed class StorageFaultsTests
{
    [Theory]
    [InlineData(13, "the database or disk is full")]
    [InlineData(10, "disk I/O error")]
    [InlineData(8, "the database is read-only")]
    [InlineData(5, "the database is locked by another writer")]
    public void SqliteStorageErrorsAreNamed(int code, string expected)
    {
        var error = new DbUpdateException("An error occurred while saving", new SqliteException("SQLite Error", code));

        Assert.Equal(expected, StorageFaults.Describe(error));
    }

    [Fact]
    public void OtherErrorsAreNotStorageFaults()
    {
        Assert.Null(StorageFaults.Describe(new SqliteException("SQLite Error 19: 'UNIQUE constraint failed'", 19)));
        Assert.Null(StorageFaults.Describe(new BadHttpRequestException("Unexpected request without body")));
        Assert.Null(StorageFaults.Describe(new InvalidOperationException("a bug")));
    }
}
