using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;

namespace TraceViewer.Web;

/// <summary>
/// Answers that every request gets whatever endpoint it reaches: HEAD is served as a GET without a body, an error
/// without a body becomes the not-found page for page requests and a problem document for everything else.
/// </summary>
internal static class HttpBasics
{
    public static IHostApplicationBuilder AddHttpBasics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // A form endpoint refuses a missing or wrong token with a bare 400; say why.
            if (context.ProblemDetails.Status == StatusCodes.Status400BadRequest
                && context.HttpContext.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
            {
                context.ProblemDetails.Title = "Missing or invalid antiforgery token";
                context.ProblemDetails.Detail = "Reload the page and try again.";
            }
        });
        return builder;
    }

    /// <summary>Runs before static files and routing, so HEAD requests are routed as GETs.</summary>
    public static IApplicationBuilder UseHttpBasics(this IApplicationBuilder app)
    {
        app.Use(HeadAsGetAsync);
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseStatusCodePages();
        // Re-executing a POST as the not-found page would post to it (and run antiforgery on it again): a page request
        // (GET) gets the page from the outer handler, every other request the problem document of the inner one.
        app.Use((context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) && context.Features.Get<IStatusCodePagesFeature>() is { } problem)
            {
                problem.Enabled = false;
            }

            return next(context);
        });
        return app;
    }

    /// <summary>Endpoints are mapped for GET; HEAD runs the same endpoint and sends the headers only.</summary>
    private static async Task HeadAsGetAsync(HttpContext context, RequestDelegate next)
    {
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }

        var body = context.Response.Body;
        context.Request.Method = HttpMethods.Get;
        context.Response.Body = Stream.Null;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Method = HttpMethods.Head;
            context.Response.Body = body;
        }
    }
}
