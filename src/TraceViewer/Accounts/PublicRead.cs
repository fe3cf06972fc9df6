using System.Globalization;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Endpoints;

namespace TraceViewer.Accounts;

/// <summary>What a route marked <see cref="PublicReadAttribute"/> reads: a list (filtered to what the caller reads), or one trace or dataset by its route id.</summary>
internal enum PublicSubject
{
    List,
    Trace,
    Dataset,
}

/// <summary>
/// Marks a page or GET route that reads datasets and may be opened signed out (with accounts on). Its queries go through
/// the dataset filters, so a signed-out visitor sees public datasets only; a route about one trace or dataset opens only
/// when that one is public (otherwise the visitor is asked to sign in). Routes without the mark still need a sign-in.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class PublicReadAttribute(PublicSubject subject = PublicSubject.List) : Attribute
{
    public PublicSubject Subject { get; } = subject;
}

/// <summary>Whether a trace or dataset is public (implemented by a feature that knows traces and datasets).</summary>
internal interface IPublicDatasets
{
    Task<bool> IsPublicAsync(PublicSubject subject, int id, CancellationToken ct = default);
}

/// <summary>The signed-out visitor's admission to pages and GET routes marked <see cref="PublicReadAttribute"/>.</summary>
internal static class PublicRead
{
    /// <summary>Marks a GET endpoint as readable signed out.</summary>
    public static TBuilder AllowPublicRead<TBuilder>(this TBuilder builder, PublicSubject subject = PublicSubject.List)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new PublicReadAttribute(subject));

    /// <summary>No account and no share link: anonymous, or a page the local owner opened before the first account existed.</summary>
    public static bool IsSignedOut(ClaimsPrincipal user) => user.Identity?.IsAuthenticated != true || LocalOwner.Is(user);

    /// <summary>
    /// Whether a signed-out visitor may have <paramref name="resource"/> (the request, or the route a circuit shows): Blazor's
    /// connection (every page it shows is checked again by the router), a marked GET route, or a marked page; for one trace
    /// or dataset, only when it is public.
    /// </summary>
    public static async Task<bool> AdmitsAsync(object? resource, IServiceScopeFactory scopes)
    {
        PublicReadAttribute? mark;
        IReadOnlyDictionary<string, object?> values;
        switch (resource)
        {
            case HttpContext http when http.Request.Path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase):
                return true;
            case HttpContext http:
                if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
                {
                    return false;
                }

                var endpoint = http.GetEndpoint();
                mark = endpoint?.Metadata.GetMetadata<PublicReadAttribute>()
                    ?? endpoint?.Metadata.GetMetadata<ComponentTypeMetadata>()?.Type.GetCustomAttribute<PublicReadAttribute>();
                values = http.Request.RouteValues;
                break;
            case Microsoft.AspNetCore.Components.RouteData route:
                mark = route.PageType.GetCustomAttribute<PublicReadAttribute>();
                values = route.RouteValues;
                break;
            default:
                return false;
        }

        if (mark is null)
        {
            return false;
        }

        if (mark.Subject == PublicSubject.List)
        {
            return true;
        }

        if (Id(values) is not { } id)
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IPublicDatasets>().IsPublicAsync(mark.Subject, id);
    }

    /// <summary>
    /// Whether the page of this request may be indexed by search engines: a page about one trace (its page and its
    /// sentences) of a public dataset. Every other page says noindex.
    /// </summary>
    public static async Task<bool> IndexableAsync(HttpContext http)
    {
        var type = http.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>()?.Type;
        if (type?.GetCustomAttribute<PublicReadAttribute>() is not { Subject: PublicSubject.Trace } || Id(http.Request.RouteValues) is not { } id
            || http.Response.StatusCode != StatusCodes.Status200OK)
        {
            return false;
        }

        return await http.RequestServices.GetRequiredService<IPublicDatasets>().IsPublicAsync(PublicSubject.Trace, id, http.RequestAborted);
    }

    private static int? Id(IReadOnlyDictionary<string, object?> values) =>
        values.FirstOrDefault(v => string.Equals(v.Key, "Id", StringComparison.OrdinalIgnoreCase)).Value switch
        {
            int number => number,
            string text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
}
