using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace TraceViewer.Data;

/// <summary>
/// The one DbContext: TraceViewer's data, the app's data-protection keys and the accounts (ASP.NET Core Identity's users
/// and roles). Provider-specific subclasses exist only so each provider keeps its own migrations.
/// </summary>
internal partial class TraceViewerDbContext(DbContextOptions options) : IdentityDbContext<IdentityUser, IdentityRole, string>(options), IDataProtectionKeyContext
{
    /// <summary>The app's data-protection keys (antiforgery tokens, circuit state, sign-in cookies), shared by every instance on the database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TraceViewerDbContext).Assembly);
        modelBuilder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");
        ApplyDatasetFilters(modelBuilder);
    }
}

internal sealed class SqliteTraceViewerDbContext(DbContextOptions<SqliteTraceViewerDbContext> options)
    : TraceViewerDbContext(options);

internal sealed class PostgresTraceViewerDbContext(DbContextOptions<PostgresTraceViewerDbContext> options)
    : TraceViewerDbContext(options);
