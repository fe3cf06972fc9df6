using Microsoft.AspNetCore.Antiforgery;

namespace TraceViewer.Components;

/// <summary>
/// Antiforgery for requests that carry the token in a header rather than a form field: the import page's upload (its
/// body is a large multipart stream that must not be read just to find a token) and the metric recompute form.
/// </summary>
internal static class HeaderAntiforgery
{
    /// <summary>The header the token travels in (also the framework's default).</summary>
    public const string HeaderName = "RequestVerificationToken";

    public static IHostApplicationBuilder AddHeaderAntiforgery(this IHostApplicationBuilder builder)
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
