namespace TraceViewer.Data;

/// <summary>
/// Told of traces whose rows a writer wrote around the context's change tracking (bulk inserts and deletes), inside the
/// writer's transaction, so features that derive tables from those rows can bring them up to date before it commits.
/// Registered as a service.
/// </summary>
internal interface ITracesWritten
{
    Task TracesWrittenAsync(TraceViewerDbContext db, IReadOnlyCollection<int> traceIds, CancellationToken ct);
}
