namespace TraceViewer.Components;

/// <summary>
/// Runs one read in its own DI scope, so with its own DbContext. A circuit lives as long as the tab, and a page's
/// reads can overlap (Back pressed twice, a filter changed while the last list loads); one DbContext allows one
/// operation at a time. Pages inject <c>QueryScope&lt;TraceQueries&gt;</c> instead of the queries themselves.
/// </summary>
internal sealed class QueryScope<TQueries>(IServiceScopeFactory scopes)
    where TQueries : notnull
{
    public async Task<T> RunAsync<T>(Func<TQueries, CancellationToken, Task<T>> read, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<TQueries>(), ct);
    }
}
