using Microsoft.AspNetCore.Antiforgery;

namespace TraceViewer.Components;

/// <summary>
/// Antiforgery for htmx: the layout renders the request token in a meta tag, app.js sends it in a header on every
/// htmx request that is not a GET, and state-changing fragment endpoints refuse requests without a valid token.
/// </summary>
internal static class HtmxAntiforgery
{
    /// <summary>The header htmx requests carry the token in (also the framework's default).</summary>
    public const string HeaderName = "RequestVerificationToken";

    /// <summary>Name of the meta tag holding the token; read by wwwroot/js/app.js.</summary>
    public const string MetaName = "antiforgery-token";

    public static IHostApplicationBuilder AddHtmxAntiforgery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAntiforgery(options => options.HeaderName = HeaderName);
        return builder;
    }

    /// <summary>
    /// Marks endpoints as needing a valid token (checked by UseAntiforgery from the header or a form field) and answers
    /// 400 when it is missing or wrong. Form-bound endpoints get this from the framework; these read no form.
    /// </summary>
    public static TBuilder RequireAntiforgery<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequireAntiforgeryTokenAttribute());
        builder.AddEndpointFilter((context, next) =>
            context.HttpContext.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false }
                ? ValueTask.FromResult<object?>(TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
                    title: "Missing or invalid antiforgery token", detail: "Reload the page and try again."))
                : next(context));
        return builder;
    }
}
