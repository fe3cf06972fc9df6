using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace TraceViewer.Data;

/// <summary>Lets the EF tools build the SQLite context without starting the app.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTraceViewerDbContext>
{
    public SqliteTraceViewerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTraceViewerDbContext>().UseSqlite("Data Source=design.db").Options);
}
