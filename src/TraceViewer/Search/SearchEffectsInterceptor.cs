using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using TraceViewer.Data;

namespace TraceViewer.Search;

/// <summary>
/// Keeps the shown effects in step with every save: before a save it notes the traces whose metric sets, values or
/// sentences change; after it, it rewrites their <see cref="MetricSets.SearchEffect"/> rows in the same transaction (its own when
/// the caller has none), so a failed refresh rolls the save back too.
/// </summary>
internal sealed class SearchEffectsInterceptor : SaveChangesInterceptor
{
    private sealed class Pending(SearchEffectsSync.Touched touched, IDbContextTransaction? own)
    {
        public SearchEffectsSync.Touched Touched { get; } = touched;

        public IDbContextTransaction? Own { get; } = own;

        public bool Refreshing { get; set; }
    }

    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is TraceViewerDbContext db && !_pending.TryGetValue(db, out _))
        {
            var touched = SearchEffectsSync.TouchedTraces(db.ChangeTracker);
            if (!touched.IsEmpty)
            {
                var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
                _pending.AddOrUpdate(db, new Pending(touched, own));
            }
        }

        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is TraceViewerDbContext db && _pending.TryGetValue(db, out var pending) && !pending.Refreshing)
        {
            pending.Refreshing = true;
            try
            {
                await SearchEffectsSync.RefreshAsync(db, pending.Touched, cancellationToken);
                if (pending.Own is { } own)
                {
                    await own.CommitAsync(cancellationToken);
                }
            }
            finally
            {
                _pending.Remove(db);
                if (pending.Own is { } own)
                {
                    await own.DisposeAsync();
                }
            }
        }

        return result;
    }

    public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default) =>
        await EndAsync(eventData.Context);

    public override async Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default) =>
        await EndAsync(eventData.Context);

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        eventData.Context is TraceViewerDbContext db && !SearchEffectsSync.TouchedTraces(db.ChangeTracker).IsEmpty
            ? throw new InvalidOperationException("Metric sets and sentences are saved with SaveChangesAsync, which keeps the search's shown effects in step.")
            : result;

    /// <summary>A save that failed (or a refresh inside it) rolls back the transaction this interceptor began.</summary>
    private async Task EndAsync(DbContext? context)
    {
        if (context is not null && _pending.TryGetValue(context, out var pending) && !pending.Refreshing)
        {
            _pending.Remove(context);
            if (pending.Own is { } own)
            {
                await own.DisposeAsync();
            }
        }
    }
}

/// <summary>Fills the shown effects of a database that had metric sets before the table existed.</summary>
internal sealed class SearchEffectsStartup : IDatabaseStartupStep
{
    public Task RunAsync(TraceViewerDbContext db, CancellationToken ct) => SearchEffectsSync.EnsureBuiltAsync(db, ct);
}

/// <summary>Rewrites the shown effects of traces a writer wrote in bulk (the import).</summary>
internal sealed class SearchEffectsAfterBulkWrites : ITracesWritten
{
    public Task TracesWrittenAsync(TraceViewerDbContext db, IReadOnlyCollection<int> traceIds, CancellationToken ct) =>
        SearchEffectsSync.RefreshAsync(db, traceIds, ct);
}
