using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;

namespace TraceViewer.Accounts;

/// <summary>
/// Whether any account exists, which decides everything else: without one, every request is the local owner; with one,
/// sign-in is on. Read at start-up; while there is none it is looked up again at most every
/// <see cref="RecheckInterval"/> (an account added by the <c>users add</c> command in another process shows within it);
/// once there is one, it stays on.
/// </summary>
internal sealed class AccountsState(IServiceScopeFactory scopes, TimeProvider clock)
{
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    private volatile bool _exist;
    private long _checkedAt = long.MinValue;

    public bool Exist => _exist;

    /// <summary>Sign-in is on from now on (the first account was just created in this process).</summary>
    public void MarkExist() => _exist = true;

    public async Task<bool> RefreshAsync(bool force = false, CancellationToken ct = default)
    {
        if (_exist)
        {
            return true;
        }

        var now = clock.GetTimestamp();
        var last = Interlocked.Read(ref _checkedAt);
        if (!force && last != long.MinValue && clock.GetElapsedTime(last, now) < RecheckInterval)
        {
            return false;
        }

        Interlocked.Exchange(ref _checkedAt, now);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        if (await db.Users.AnyAsync(ct))
        {
            _exist = true;
        }

        return _exist;
    }
}
