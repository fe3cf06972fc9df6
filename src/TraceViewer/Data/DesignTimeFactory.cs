using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace TraceViewer.Data;

/// <summary>Lets the EF tools build the SQLite context without starting the app.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTraceViewerDbContext>
{
    public SqliteTraceViewerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTraceViewerDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Lets the EF tools build the PostgreSQL context without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTraceViewerDbContext>
{
    public PostgresTraceViewerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTraceViewerDbContext>().UseNpgsql("Host=localhost;Database=traceviewer").Options);
}
