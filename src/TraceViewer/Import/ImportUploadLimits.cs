using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using TraceViewer.Data;

namespace TraceViewer.Import;

/// <summary>
/// Applies <see cref="ImportOptions.MaxUploadBytes"/> to the upload before anything reads its body. Without this the
/// server's default 30 MB body limit (or the form reader's limits, when antiforgery looked for its token in the form)
/// failed the request with an empty 400; now an upload over a limit gets 413 naming the limit and its setting, and
/// one without the antiforgery header is refused before its body is read. Browsers that ask for JSON (the import
/// page's script) get a problem document; others a small page. With a read-only database the storage middleware
/// refuses the upload (503) before its body is read.
/// </summary>
internal sealed class ImportUploadLimits(IOptions<ImportOptions> options, DatabaseAccess access) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals(ImportEndpoints.UploadPath, StringComparison.OrdinalIgnoreCase)
                && !access.IsReadOnly && !await AdmitAsync(context, options.Value))
            {
                return;
            }

            await nextMiddleware(context);
        });
        next(app);
    };

    public static string TooLarge(ImportOptions limits, long? length = null) =>
        (length is { } bytes ? $"The upload is {ImportOptions.Size(bytes)}, above" : "The upload is larger than")
        + $" {ImportOptions.Limit(nameof(ImportOptions.MaxUploadBytes), limits.MaxUploadBytes)}. Nothing was imported.";

    /// <returns>False when the request was refused (the response is written).</returns>
    private static async Task<bool> AdmitAsync(HttpContext context, ImportOptions limits)
    {
        if (context.Request.ContentLength is { } length && length > limits.MaxUploadBytes)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "Upload refused", TooLarge(limits, length));
            return false;
        }

        // The token must come in the header: looking for it in the form would read the whole body first.
        if (string.IsNullOrEmpty(context.Request.Headers[Components.HeaderAntiforgery.HeaderName]))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "Missing antiforgery token",
                $"Send the upload from the import page: it needs the antiforgery token in the {Components.HeaderAntiforgery.HeaderName} header.");
            return false;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.MaxUploadBytes;
        }

        return true;
    }

    private static async Task RefuseAsync(HttpContext context, int status, string title, string message)
    {
        context.Response.StatusCode = status;
        if (context.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await Results.Problem(statusCode: status, title: title, detail: message).ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(
            $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)} · TraceViewer</title></head>"
            + $"<body><h1>{WebUtility.HtmlEncode(title)}</h1><p data-testid=\"import-error\">{WebUtility.HtmlEncode(message)}</p><p><a href=\"/import\">Back to the import page</a></p></body></html>",
            context.RequestAborted);
    }
}
