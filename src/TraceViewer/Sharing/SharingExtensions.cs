using System.Net;
using TraceViewer.Accounts;

namespace TraceViewer.Sharing;

internal static partial class SharingExtensions
{
    public const string SharesPath = "/shares";

    public static IHostApplicationBuilder AddSharing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ShareService>();
        builder.Services.AddSingleton<ShareAccess>();
        builder.Services.AddLogRedaction();
        return builder;
    }

    public static IEndpointRouteBuilder MapSharing(this IEndpointRouteBuilder app)
    {
        app.MapGet(ShareService.LinkPrefix + "{token}", OpenAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Opens a link: sets the share cookie and sends the browser to the shared place, so the token leaves the address bar
    /// (and the history, and the Referer of anything the page loads) at once. A link that no longer works answers 410.
    /// </summary>
    private static async Task<IResult> OpenAsync(string token, HttpContext context, ShareService shares, ILoggerFactory logs)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var opened = await shares.RedeemAsync(token, context.RequestAborted);
        var log = logs.CreateLogger("TraceViewer.Sharing");
        switch (opened.Status)
        {
            case RedeemStatus.Valid:
                LogOpened(log, opened.ShareId);
                ShareHolder.Issue(context, opened.ShareId);
                return TypedResults.Redirect(AccountsExtensions.SafeReturnUrl(opened.Target));
            case RedeemStatus.Expired:
                return Gone(StatusCodes.Status410Gone, "This link has expired", "The person who shared it can make a new one.", "share-expired");
            case RedeemStatus.Revoked:
                return Gone(StatusCodes.Status410Gone, "This link was revoked", "The person who shared it turned it off. Ask them for a new one.", "share-revoked");
            default:
                return Gone(StatusCodes.Status404NotFound, "This link does not work", "Check that it was copied whole, or ask for a new one.", "share-unknown");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Share link {ShareId} opened")]
    private static partial void LogOpened(ILogger logger, int shareId);

    private static IResult Gone(int status, string title, string detail, string testId)
    {
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1.0" />
            <meta name="robots" content="noindex" />
            <title>{{WebUtility.HtmlEncode(title)}} · TraceViewer</title>
            <link rel="stylesheet" href="/css/site.css" />
            <style>
            body { font-family: system-ui, sans-serif; margin: 0; display: flex; justify-content: center; padding: 12vh 16px; }
            main { max-width: 32rem; }
            h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
            </style>
            </head>
            <body>
            <main data-testid="{{testId}}">
            <h1>{{WebUtility.HtmlEncode(title)}}</h1>
            <p>{{WebUtility.HtmlEncode(detail)}}</p>
            <p><a href="{{AccountsExtensions.SignInPath}}">Sign in to TraceViewer</a></p>
            </main>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
