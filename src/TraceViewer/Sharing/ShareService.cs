using Microsoft.EntityFrameworkCore;
using TraceViewer.Accounts;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Traces;

namespace TraceViewer.Sharing;

/// <summary>A share just made: its link's token is shown once and never stored.</summary>
internal sealed record NewShare(int Id, string Token, string Path, DateTimeOffset? ExpiresAt);

/// <summary>One row of the shares page.</summary>
internal sealed record ShareRow(int Id, ShareScopeKind Kind, string Title, string Target, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, int UseCount, DateTimeOffset? LastUsedAt, bool Gone);

/// <summary>What opening a link found.</summary>
internal enum RedeemStatus
{
    Valid,
    Unknown,
    Expired,
    Revoked,
}

internal sealed record Redeemed(RedeemStatus Status, int ShareId = 0, string Target = "/", DateTimeOffset? ExpiresAt = null);

/// <summary>Makes, lists, revokes and opens share links. Callers check the role (researcher and above) before making or revoking.</summary>
internal sealed class ShareService(TraceViewerDbContext db, TimeProvider clock)
{
    /// <summary>The path of a link: <c>/s/{token}</c>. Request logs show it as <c>/s/[redacted]</c> (see <see cref="LogRedaction"/>).</summary>
    public const string LinkPrefix = "/s/";

    /// <summary>Shares the trace at <paramref name="pathAndQuery"/> (the page's own address, with its view); null when it is not that trace's page.</summary>
    public async Task<NewShare?> ShareTraceAsync(int traceId, string pathAndQuery, TimeSpan? lifetime, string createdBy, CancellationToken ct = default)
    {
        if (ShareScope.TraceTarget(traceId, pathAndQuery) is not { } target
            || await db.Set<Trace>().Where(t => t.Id == traceId).Select(t => new { t.DatasetId, t.Title }).FirstOrDefaultAsync(ct) is not { } trace)
        {
            return null;
        }

        return await AddAsync(new ShareLink { Kind = ShareScopeKind.Trace, TraceId = traceId, DatasetId = trace.DatasetId, Target = target, Title = trace.Title },
            lifetime, createdBy, ct);
    }

    /// <summary>Shares the dataset's study at <paramref name="pathAndQuery"/>; null when it is not that study's page.</summary>
    public async Task<NewShare?> ShareStudyAsync(int datasetId, string pathAndQuery, TimeSpan? lifetime, string createdBy, CancellationToken ct = default)
    {
        if (ShareScope.StudyTarget(datasetId, pathAndQuery) is not { } target
            || await db.Set<Dataset>().Where(d => d.Id == datasetId).Select(d => d.Name).FirstOrDefaultAsync(ct) is not { } name)
        {
            return null;
        }

        return await AddAsync(new ShareLink { Kind = ShareScopeKind.Study, DatasetId = datasetId, Target = target, Title = $"Study: {name}" },
            lifetime, createdBy, ct);
    }

    private async Task<NewShare> AddAsync(ShareLink share, TimeSpan? lifetime, string createdBy, CancellationToken ct)
    {
        var token = Secrets.NewToken();
        var now = clock.GetUtcNow();
        share.TokenHash = Secrets.Hash(token);
        share.CreatedAt = now;
        share.ExpiresAt = lifetime is { } span ? now + span : null;
        share.CreatedBy = createdBy.Length > 256 ? createdBy[..256] : createdBy;
        share.Title = share.Title.Length > 512 ? share.Title[..512] : share.Title;
        db.Add(share);
        await db.SaveChangesAsync(ct);
        return new NewShare(share.Id, token, LinkPrefix + token, share.ExpiresAt);
    }

    public async Task<IReadOnlyList<ShareRow>> ListAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var rows = await db.Set<ShareLink>().AsNoTracking().ToListAsync(ct);
        return rows
            .Select(s => new ShareRow(s.Id, s.Kind, s.Title, s.Target, s.CreatedBy, s.CreatedAt, s.ExpiresAt, s.RevokedAt, s.UseCount, s.LastUsedAt,
                ShareScope.IsGone(s.ExpiresAt, s.RevokedAt, now)))
            .OrderBy(s => s.Gone)
            .ThenByDescending(s => s.CreatedAt)
            .ThenByDescending(s => s.Id)
            .ToList();
    }

    /// <summary>Revokes a share at once (its open pages lose it at their next request or navigation); false when there is none.</summary>
    public async Task<bool> RevokeAsync(int id, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var changed = await db.Set<ShareLink>().Where(s => s.Id == id && s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), ct);
        return changed > 0 || await db.Set<ShareLink>().AnyAsync(s => s.Id == id, ct);
    }

    /// <summary>Opens a link: counts the use when it still works.</summary>
    public async Task<Redeemed> RedeemAsync(string token, CancellationToken ct = default)
    {
        if (token.Length is < 43 or > 128)
        {
            return new Redeemed(RedeemStatus.Unknown);
        }

        var hash = Secrets.Hash(token);
        var share = await db.Set<ShareLink>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(s => s.TokenHash == hash, ct);
        if (share is null)
        {
            return new Redeemed(RedeemStatus.Unknown);
        }

        var now = clock.GetUtcNow();
        if (share.RevokedAt is not null)
        {
            return new Redeemed(RedeemStatus.Revoked);
        }

        if (ShareScope.IsGone(share.ExpiresAt, null, now))
        {
            return new Redeemed(RedeemStatus.Expired);
        }

        await db.Set<ShareLink>().IgnoreQueryFilters().Where(s => s.Id == share.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.UseCount, s => s.UseCount + 1).SetProperty(s => s.LastUsedAt, now), ct);
        return new Redeemed(RedeemStatus.Valid, share.Id, share.Target, share.ExpiresAt);
    }

    /// <summary>Whether share <paramref name="shareId"/> still works and admits <paramref name="page"/> with route id <paramref name="id"/>.</summary>
    public async Task<bool> AdmitsAsync(int shareId, SharedPage page, int? id, CancellationToken ct = default)
    {
        var share = await db.Set<ShareLink>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(s => s.Id == shareId, ct);
        if (share is null || ShareScope.IsGone(share.ExpiresAt, share.RevokedAt, clock.GetUtcNow()))
        {
            return false;
        }

        int? traceDataset = null;
        if (page == SharedPage.Trace && share.Kind == ShareScopeKind.Study && id is { } traceId)
        {
            traceDataset = await db.Set<Trace>().IgnoreQueryFilters().Where(t => t.Id == traceId).Select(t => (int?)t.DatasetId).FirstOrDefaultAsync(ct);
        }

        return ShareScope.Admits(share.Kind, share.TraceId, share.DatasetId, page, id, traceDataset);
    }

    /// <summary>Whether share <paramref name="shareId"/> still works (for the circuit's own connection).</summary>
    public async Task<bool> WorksAsync(int shareId, CancellationToken ct = default)
    {
        var share = await db.Set<ShareLink>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(s => s.Id == shareId, ct);
        return share is not null && !ShareScope.IsGone(share.ExpiresAt, share.RevokedAt, clock.GetUtcNow());
    }
}
