using System.Linq.Expressions;

namespace TraceViewer.Jobs;

/// <summary>
/// The rules of a claim's lease. A worker claims an item for <see cref="JobsOptions.Lease"/> and renews the lease while
/// it works on the item, so the lease runs out only when its worker is gone (killed, cut off from the database). Then any
/// worker may claim the item again; nothing is taken back earlier, not even at start-up, because a running item may
/// belong to another live instance on the same database.
/// </summary>
internal static class JobLeases
{
    /// <summary>
    /// An item a worker may claim at <paramref name="now"/>: pending and due (no retry pause left), or running under a
    /// lease that has run out (or that it never had). Translated to SQL by EF; the PostgreSQL claim writes the same
    /// condition by hand (<see cref="JobClaims"/>).
    /// </summary>
    public static Expression<Func<JobItem, bool>> Claimable(DateTimeOffset now) => i =>
        (i.Status == JobItemStatus.Pending && (i.NextAttemptAt == null || i.NextAttemptAt <= now))
        || (i.Status == JobItemStatus.Running && (i.LeaseUntil == null || i.LeaseUntil < now));

    /// <summary>When a lease taken or renewed at <paramref name="now"/> runs out.</summary>
    public static DateTimeOffset Until(DateTimeOffset now, TimeSpan lease) => now + lease;

    /// <summary>
    /// How often a worker renews the leases of the items it holds: three times per lease, so a renewal that fails once
    /// (a busy database) still leaves two more before the lease runs out.
    /// </summary>
    public static TimeSpan RenewEvery(TimeSpan lease) => lease / 3;

    /// <summary>Whether leases last renewed at <paramref name="renewed"/> are due for renewal at <paramref name="now"/>.</summary>
    public static bool RenewalDue(DateTimeOffset renewed, DateTimeOffset now, TimeSpan lease) => now - renewed >= RenewEvery(lease);

    /// <summary>How long the renewal loop sleeps between looks at the clock: often enough to renew on time.</summary>
    public static TimeSpan RenewalTick(TimeSpan lease, TimeSpan pollInterval) =>
        TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(10).Ticks, Math.Min(pollInterval.Ticks, RenewEvery(lease).Ticks / 4)));
}

/// <summary>
/// This process's name as a lease owner: host, process id and a random part, so a restarted process (in a container
/// often the same host name and process id 1) is never taken for the one before it.
/// </summary>
internal sealed class JobInstance
{
    public const int MaxIdLength = 200;

    public JobInstance()
        : this(Environment.MachineName, Environment.ProcessId)
    {
    }

    internal JobInstance(string host, int processId)
    {
        var name = host.Length > 100 ? host[..100] : host;
        Id = $"{name}/{processId}/{Guid.NewGuid().ToString("N")[..8]}";
    }

    public string Id { get; }

    public override string ToString() => Id;
}
