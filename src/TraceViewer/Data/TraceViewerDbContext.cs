using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace TraceViewer.Data;

/// <summary>The one DbContext. Provider-specific subclasses exist only so each provider keeps its own migrations.</summary>
internal class TraceViewerDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>The app's data-protection keys (antiforgery tokens, circuit state), shared by every instance on the database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TraceViewerDbContext).Assembly);
        modelBuilder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");
    }
}

internal sealed class SqliteTraceViewerDbContext(DbContextOptions<SqliteTraceViewerDbContext> options)
    : TraceViewerDbContext(options);

internal sealed class PostgresTraceViewerDbContext(DbContextOptions<PostgresTraceViewerDbContext> options)
    : TraceViewerDbContext(options);
