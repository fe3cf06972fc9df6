using Microsoft.Extensions.Options;

namespace TraceViewer.Web;

/// <summary>
/// Response headers that limit what a page can do if something slips through escaping, under <c>SecurityHeaders</c>.
/// The Content-Security-Policy is written here and nowhere else; change a directive with
/// <c>SecurityHeaders:ContentSecurityPolicy:&lt;directive&gt;</c> (an empty value drops it).
/// </summary>
internal sealed class SecurityHeadersOptions
{
    public const string Section = "SecurityHeaders";

    /// <summary>
    /// Scripts only from the app itself (no inline script, no eval). Styles also inline: plotly.js and style attributes
    /// need it, as do Blazor and MudBlazor. <c>connect-src 'self'</c> covers fetches and
    /// WebSockets to this host (CSP level 3), which a Blazor Server circuit uses. Images may be data: URLs (plotly
    /// exports, MudBlazor icons). No plugins, no framing by other sites, forms post only here.
    /// </summary>
    public Dictionary<string, string> ContentSecurityPolicy { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["default-src"] = "'self'",
        ["script-src"] = "'self'",
        ["style-src"] = "'self' 'unsafe-inline'",
        ["img-src"] = "'self' data:",
        ["font-src"] = "'self' data:",
        ["connect-src"] = "'self'",
        ["object-src"] = "'none'",
        ["base-uri"] = "'self'",
        ["form-action"] = "'self'",
        ["frame-ancestors"] = "'none'",
    };

    /// <summary>Sent as Referrer-Policy: deep links carry trace ids, which other sites need not see.</summary>
    public string ReferrerPolicy { get; set; } = "same-origin";

    /// <summary>The header value: directives in a fixed order, empty ones left out.</summary>
    public string Policy() => string.Join("; ", ContentSecurityPolicy
        .Where(d => !string.IsNullOrWhiteSpace(d.Value))
        .OrderBy(d => d.Key, StringComparer.Ordinal)
        .Select(d => $"{d.Key.Trim()} {d.Value.Trim()}"));
}

internal static class SecurityHeaders
{
    public static IHostApplicationBuilder AddSecurityHeaders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SecurityHeadersOptions>().BindConfiguration(SecurityHeadersOptions.Section);
        return builder;
    }

    /// <summary>First in the pipeline: set on every response (pages, files, problems, errors) just before it is sent.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<SecurityHeadersOptions>>().Value;
        var policy = options.Policy();
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = options.ReferrerPolicy;
                // For browsers that predate frame-ancestors.
                headers.XFrameOptions = "DENY";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
