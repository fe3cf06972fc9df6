using TraceViewer.Accounts;

namespace TraceViewer.Views;

internal static class ViewsExtensions
{
    public static IHostApplicationBuilder AddViews(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SavedViewStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapViews(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v/{id:int}", OpenAsync).RequireAuthorization(AccessPolicies.Read).ExcludeFromDescription();
        return app;
    }

    /// <summary>A view's stable address: to its page with its query, for its owner and, when shared, for every signed-in user who reads the datasets it names.</summary>
    internal static async Task<IResult> OpenAsync(int id, HttpContext context, SavedViewStore views)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (ViewOwner.Of(context.User) is { } viewer && await views.OpenAsync(id, viewer, context.RequestAborted) is { } href)
        {
            return TypedResults.Redirect(href);
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "View not found",
            detail: "There is no view with this address that you may open. Its owner may have deleted it or not shared it.");
    }
}
