using Microsoft.EntityFrameworkCore;
using TraceViewer.Data;

namespace TraceViewer.Jobs;

/// <summary>An item won by a claim, as the worker needs it.</summary>
internal sealed class ClaimedItem
{
    public long Id { get; init; }

    public int? TraceId { get; init; }

    public int Position { get; init; }

    public int SampleIndex { get; init; }

    public int Attempts { get; init; }

    public string? Key { get; init; }
}

/// <summary>
/// Claiming items and renewing their leases, safely for any number of workers on one database. PostgreSQL: one
/// statement that locks the first claimable rows with <c>FOR UPDATE SKIP LOCKED</c> (rows another worker is claiming are
/// passed over, not waited for) and stamps them with the claim. SQLite, which has one writer at a time: candidates are
/// read, then a conditional update that re-checks each is still claimable stamps them, then the stamped rows are read
/// back by their claim token.
/// </summary>
internal static class JobClaims
{
    public static async Task<List<ClaimedItem>> ClaimAsync(
        TraceViewerDbContext db, int jobId, int count, IReadOnlyCollection<long> busy, DateTimeOffset now, DateTimeOffset until,
        string owner, Guid token, Func<CancellationToken, Task<IDisposable>> writeTurn, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            // Writers do not queue on PostgreSQL: no turn to take.
            return await ClaimSkippingLockedAsync(db, jobId, count, [.. busy], now, until, owner, token, ct);
        }

        var claimable = JobLeases.Claimable(now);
        var candidates = await db.Set<JobItem>().AsNoTracking().Where(i => i.JobId == jobId && !busy.Contains(i.Id)).Where(claimable)
            .OrderBy(i => i.Id).Select(i => i.Id).Take(count).ToListAsync(ct);
        if (candidates.Count == 0)
        {
            return [];
        }

        DateTimeOffset? lease = until;
        using (await writeTurn(ct))
        {
            await db.Set<JobItem>().Where(i => candidates.Contains(i.Id)).Where(claimable)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, JobItemStatus.Running).SetProperty(i => i.LeaseUntil, lease)
                    .SetProperty(i => i.LeaseOwner, owner).SetProperty(i => i.ClaimToken, token).SetProperty(i => i.Attempts, i => i.Attempts + 1), ct);
        }

        return await db.Set<JobItem>().AsNoTracking().Where(i => i.ClaimToken == token).OrderBy(i => i.Id)
            .Select(i => new ClaimedItem { Id = i.Id, TraceId = i.TraceId, Position = i.Position, SampleIndex = i.SampleIndex, Attempts = i.Attempts, Key = i.Key })
            .ToListAsync(ct);
    }

    /// <summary>
    /// The condition is <see cref="JobLeases.Claimable"/> written in SQL (times are UTC ticks, statuses their names).
    /// Under READ COMMITTED a row that another worker claimed and committed while this statement waited is checked again
    /// after the lock and dropped, so a row is never claimed twice.
    /// </summary>
    private static async Task<List<ClaimedItem>> ClaimSkippingLockedAsync(
        TraceViewerDbContext db, int jobId, int count, long[] busy, DateTimeOffset now, DateTimeOffset until, string owner, Guid token, CancellationToken ct)
    {
        string pending = nameof(JobItemStatus.Pending), running = nameof(JobItemStatus.Running);
        long nowTicks = now.UtcTicks, untilTicks = until.UtcTicks;
        var claimed = await db.Database.SqlQuery<ClaimedItem>($"""
            UPDATE "JobItem" AS i
            SET "Status" = {running}, "LeaseUntil" = {untilTicks}, "LeaseOwner" = {owner}, "ClaimToken" = {token}, "Attempts" = i."Attempts" + 1
            WHERE i."Id" IN (
                SELECT c."Id" FROM "JobItem" AS c
                WHERE c."JobId" = {jobId}
                  AND ((c."Status" = {pending} AND (c."NextAttemptAt" IS NULL OR c."NextAttemptAt" <= {nowTicks}))
                    OR (c."Status" = {running} AND (c."LeaseUntil" IS NULL OR c."LeaseUntil" < {nowTicks})))
                  AND NOT (c."Id" = ANY({busy}))
                ORDER BY c."Id"
                LIMIT {count}
                FOR UPDATE SKIP LOCKED)
            RETURNING i."Id", i."TraceId", i."Position", i."SampleIndex", i."Attempts", i."Key"
            """).ToListAsync(ct);
        return [.. claimed.OrderBy(i => i.Id)];
    }

    /// <summary>
    /// Moves the leases of the given items on to <paramref name="until"/>, where this worker still holds them (an item
    /// whose lease ran out and was claimed by another worker is left to it). Returns how many were renewed.
    /// </summary>
    public static async Task<int> RenewAsync(TraceViewerDbContext db, IReadOnlyList<long> ids, string owner, DateTimeOffset until, CancellationToken ct)
    {
        DateTimeOffset? lease = until;
        var renewed = 0;
        foreach (var chunk in ids.Chunk(500))
        {
            renewed += await db.Set<JobItem>()
                .Where(i => chunk.Contains(i.Id) && i.Status == JobItemStatus.Running && i.LeaseOwner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.LeaseUntil, lease), ct);
        }

        return renewed;
    }
}
