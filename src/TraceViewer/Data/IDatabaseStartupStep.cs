namespace TraceViewer.Data;

/// <summary>
/// Work a feature does at start-up once the schema is current, such as filling a table it derives from stored data
/// when a migration has just added it. Registered as a service; run in registration order, never on a read-only database.
/// </summary>
internal interface IDatabaseStartupStep
{
    Task RunAsync(TraceViewerDbContext db, CancellationToken ct);
}
