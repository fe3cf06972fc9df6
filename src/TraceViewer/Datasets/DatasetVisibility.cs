using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Accounts;
using TraceViewer.Data;
using TraceViewer.Sharing;
using TraceViewer.Workspaces;

namespace TraceViewer.Datasets;

/// <summary>
/// Works out which datasets a caller reads (<see cref="VisibilityRule"/> over every dataset's workspace and visibility)
/// and sets <see cref="DatasetScope"/> for the request or circuit activity, so every query that follows honours it.
/// Reads datasets, memberships and shares with the filters off.
/// </summary>
internal sealed class DatasetVisibilityService(TraceViewerDbContext db, AccountsState accounts)
{
    public async Task<Viewer> ViewerAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (LocalOwner.Is(user))
        {
            // The local owner reads everything while no account exists; a page it opened before the first account reads as signed out.
            return accounts.Exist ? Viewer.SignedOut : Viewer.Everything;
        }

        if (ShareHolder.ShareId(user) is { } shareId)
        {
            var shared = await db.Set<ShareLink>().IgnoreQueryFilters().Where(s => s.Id == shareId).Select(s => (int?)s.DatasetId).FirstOrDefaultAsync(ct);
            return new Viewer(ViewerKind.ShareHolder, new HashSet<int>(), shared);
        }

        if (user.Identity?.IsAuthenticated != true)
        {
            return Viewer.SignedOut;
        }

        var role = Roles.All.LastOrDefault(user.IsInRole);
        if (role == Roles.Admin)
        {
            return Viewer.Everything;
        }

        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        var memberships = await db.Set<WorkspaceMember>().AsNoTracking().Where(m => m.UserId == userId)
            .Select(m => new { m.WorkspaceId, m.Role }).ToListAsync(ct);
        var roles = VisibilityRule.WorkspaceRoles(role, memberships.Select(m => (m.WorkspaceId, m.Role)));
        return new Viewer(ViewerKind.SignedIn, roles.Keys.ToHashSet());
    }

    /// <summary>The ids of the datasets <paramref name="user"/> reads, or null for all.</summary>
    public async Task<int[]?> VisibleAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var viewer = await ViewerAsync(user, ct);
        if (viewer.Kind == ViewerKind.Unrestricted)
        {
            return null;
        }

        var placements = await db.Set<Dataset>().IgnoreQueryFilters().AsNoTracking()
            .Select(d => new DatasetPlacement(d.Id, d.WorkspaceId, d.Visibility)).ToListAsync(ct);
        return VisibilityRule.Visible(viewer, placements);
    }
}

/// <summary>Sets the caller's visible datasets at the start of each circuit activity (events, navigation, the first render).</summary>
internal sealed class DatasetVisibilityCircuitHandler(AuthenticationStateProvider authentication, IServiceScopeFactory scopes) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            var user = (await authentication.GetAuthenticationStateAsync()).User;
            await using (var scope = scopes.CreateAsyncScope())
            {
                DatasetScope.Set(await scope.ServiceProvider.GetRequiredService<DatasetVisibilityService>().VisibleAsync(user));
            }

            await next(context);
        };
}

internal static class DatasetVisibilityExtensions
{
    public static IHostApplicationBuilder AddDatasetVisibility(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<DatasetVisibilityService>();
        builder.Services.AddScoped<WorkspaceService>();
        builder.Services.AddScoped<Views.IViewDatasets, ViewDatasets>();
        builder.Services.AddScoped<CircuitHandler, DatasetVisibilityCircuitHandler>();
        return builder;
    }

    /// <summary>After sign-in and authorization: every query of the request reads only the caller's datasets.</summary>
    public static IApplicationBuilder UseDatasetVisibility(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            // Static files read no data: they get nothing rather than a look-up. Everything else gets the caller's datasets.
            DatasetScope.Set(context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is not null
                ? []
                : await context.RequestServices.GetRequiredService<DatasetVisibilityService>().VisibleAsync(context.User, context.RequestAborted));

            await next(context);
        });
}
