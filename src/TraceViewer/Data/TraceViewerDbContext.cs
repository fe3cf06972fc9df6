using Microsoft.EntityFrameworkCore;

namespace TraceViewer.Data;

/// <summary>The one DbContext. Provider-specific subclasses exist only so each provider keeps its own migrations.</summary>
internal class TraceViewerDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TraceViewerDbContext).Assembly);
}

internal sealed class SqliteTraceViewerDbContext(DbContextOptions<SqliteTraceViewerDbContext> options)
    : TraceViewerDbContext(options);

internal sealed class PostgresTraceViewerDbContext(DbContextOptions<PostgresTraceViewerDbContext> options)
    : TraceViewerDbContext(options);
