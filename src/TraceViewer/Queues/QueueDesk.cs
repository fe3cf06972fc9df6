using TraceViewer.Accounts;
using TraceViewer.Data;

namespace TraceViewer.Queues;

/// <summary>Runs a <see cref="QueueStore"/> call on its own DbContext, as the circuit's user.</summary>
internal sealed class QueueDesk(IServiceScopeFactory scopes, IAccess access, AccountsState accounts, TimeProvider time)
{
    public async Task<T> RunAsync<T>(Func<QueueStore, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(new QueueStore(scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>(), access, accounts, time));
    }
}
