using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using TraceViewer.Data;

namespace TraceViewer.Import;

/// <summary>
/// Applies <see cref="ImportOptions.MaxUploadBytes"/> and <see cref="ImportOptions.MaxUploadFiles"/> to the upload form
/// and reads the form before anything else does. Without this the server's default 30 MB body limit (or the form
/// reader's 1,024-part limit) failed inside the antiforgery check, which answered an empty 400; now a request over a
/// limit gets 413 with a page that names the limit and its setting. A read-only database refuses the upload before
/// its body is read (the storage middleware answers 503), so nobody sends a gigabyte to learn that.
/// </summary>
internal sealed class ImportUploadLimits(IOptions<ImportOptions> options, DatabaseAccess access) : IStartupFilter
{
    public const string Path = "/import";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase)
                && !access.IsReadOnly && !await ReadFormAsync(context, options.Value))
            {
                return;
            }

            await nextMiddleware(context);
        });
        next(app);
    };

    /// <returns>False when the request was refused (the response is written).</returns>
    private static async Task<bool> ReadFormAsync(HttpContext context, ImportOptions limits)
    {
        var sizeLimit = $"{ImportOptions.Limit(nameof(ImportOptions.MaxUploadBytes), limits.MaxUploadBytes)}";
        if (context.Request.ContentLength is { } length && length > limits.MaxUploadBytes)
        {
            await RefuseAsync(context, $"The upload is {ImportOptions.Size(length)}, above {sizeLimit}. Nothing was imported.");
            return false;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.MaxUploadBytes;
        }

        if (!context.Request.HasFormContentType)
        {
            return true;
        }

        context.Features.Set<IFormFeature>(new FormFeature(context.Request, new FormOptions
        {
            MultipartBodyLengthLimit = limits.MaxUploadBytes,
            // Each file is one form part, and the form has a few fields of its own (the antiforgery token, the handler).
            ValueCountLimit = limits.MaxUploadFiles + 16,
        }));
        try
        {
            await context.Request.ReadFormAsync(context.RequestAborted);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            var detail = e.Message.Contains("count", StringComparison.OrdinalIgnoreCase)
                ? $"The upload has more files than the limit of {limits.MaxUploadFiles} ({ImportOptions.Section}:{nameof(ImportOptions.MaxUploadFiles)})."
                : e.Message.Contains("length", StringComparison.OrdinalIgnoreCase) || e is BadHttpRequestException { StatusCode: 413 }
                    ? $"The upload is larger than {sizeLimit}."
                    : $"The upload could not be read as a form: {e.Message}.";
            await RefuseAsync(context, detail + " Nothing was imported.");
            return false;
        }
    }

    private static async Task RefuseAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(
            $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Upload refused · TraceViewer</title></head>"
            + $"<body><h1>Upload refused</h1><p data-testid=\"import-error\">{WebUtility.HtmlEncode(message)}</p><p><a href=\"{Path}\">Back to the import page</a></p></body></html>",
            context.RequestAborted);
    }
}
