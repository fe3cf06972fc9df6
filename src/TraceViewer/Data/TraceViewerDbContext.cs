using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace TraceViewer.Data;

/// <summary>
/// The one DbContext: TraceViewer's data, the app's data-protection keys and the accounts (ASP.NET Core Identity's users
/// and roles). Provider-specific subclasses exist only so each provider keeps its own migrations.
/// </summary>
internal class TraceViewerDbContext(DbContextOptions options) : IdentityDbContext<IdentityUser, IdentityRole, string>(options), IDataProtectionKeyContext
{
    /// <summary>The app's data-protection keys (antiforgery tokens, circuit state, sign-in cookies), shared by every instance on the database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TraceViewerDbContext).Assembly);
        modelBuilder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");
    }

    /// <summary>Saves, and where metric sets changed rewrites the shown effects of their traces in the same transaction.</summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var touched = Search.SearchEffectsSync.TouchedTraces(ChangeTracker);
        if (touched.IsEmpty)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        await using var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        await Search.SearchEffectsSync.RefreshAsync(this, touched, cancellationToken);
        if (own is not null)
        {
            await own.CommitAsync(cancellationToken);
        }

        return saved;
    }
}

internal sealed class SqliteTraceViewerDbContext(DbContextOptions<SqliteTraceViewerDbContext> options)
    : TraceViewerDbContext(options);

internal sealed class PostgresTraceViewerDbContext(DbContextOptions<PostgresTraceViewerDbContext> options)
    : TraceViewerDbContext(options);
