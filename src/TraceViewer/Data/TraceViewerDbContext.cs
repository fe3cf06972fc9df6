using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace TraceViewer.Data;

/// <summary>
/// The one DbContext: TraceViewer's data and the accounts (ASP.NET Core Identity's users and roles). Provider-specific
/// subclasses exist only so each provider keeps its own migrations.
/// </summary>
internal class TraceViewerDbContext(DbContextOptions options) : IdentityDbContext<IdentityUser, IdentityRole, string>(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TraceViewerDbContext).Assembly);
    }
}

internal sealed class SqliteTraceViewerDbContext(DbContextOptions<SqliteTraceViewerDbContext> options)
    : TraceViewerDbContext(options);

internal sealed class PostgresTraceViewerDbContext(DbContextOptions<PostgresTraceViewerDbContext> options)
    : TraceViewerDbContext(options);
