using Microsoft.Extensions.Options;
using TraceViewer.Data;

namespace TraceViewer.Jobs;

/// <summary>Keeps the leases of the items this worker holds from running out while it works on them.</summary>
internal sealed partial class JobLeaseRenewer(
    IServiceScopeFactory scopes, DatabaseAccess access, JobInstance instance, HeldClaims held, JobWriteTurn turn,
    IOptions<JobsOptions> options, TimeProvider clock, ILogger<JobLeaseRenewer> logger)
{
    /// <summary>
    /// Renews the leases of the items this worker holds, <see cref="JobLeases.RenewEvery"/> by the app's clock, until the
    /// worker stops. A renewal the database refuses is tried again at the next tick; the first failure of a run and the
    /// recovery are logged.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var renewed = clock.GetUtcNow();
        var failing = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(JobLeases.RenewalTick(options.Value.Lease, options.Value.PollInterval), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = clock.GetUtcNow();
            if (!JobLeases.RenewalDue(renewed, now, options.Value.Lease))
            {
                continue;
            }

            var ids = held.Ids();
            try
            {
                if (ids.Count > 0)
                {
                    await RenewAsync(ids, now, ct);
                }

                renewed = now;
                if (failing)
                {
                    failing = false;
                    LogRenewalRecovered(ids.Count);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!failing)
                {
                    failing = true;
                    if (StorageFaults.Describe(e) is { } reason)
                    {
                        access.ReportWriteFailure(reason);
                        LogRenewalStorageFault(ids.Count, reason);
                    }
                    else
                    {
                        LogRenewalFailed(ids.Count, e);
                    }
                }
            }
        }
    }

    /// <summary>Moves the leases of <paramref name="ids"/> (where this instance still holds them) to a lease from <paramref name="now"/>.</summary>
    public async Task<int> RenewAsync(IReadOnlyList<long> ids, DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        await JobWriteTurn.RelaxSyncAsync(db, ct);
        using (await turn.TakeAsync(ct))
        {
            return await JobClaims.RenewAsync(db, ids, instance.Id, JobLeases.Until(now, options.Value.Lease), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs worker: could not renew the leases of {Count} items ({Reason}); trying again, and other instances may take them once they run out")]
    private partial void LogRenewalStorageFault(int count, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Jobs worker: renewing the leases of {Count} items failed; trying again, and other instances may take them once they run out")]
    private partial void LogRenewalFailed(int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Jobs worker: leases renewed again ({Count} items)")]
    private partial void LogRenewalRecovered(int count);
}
