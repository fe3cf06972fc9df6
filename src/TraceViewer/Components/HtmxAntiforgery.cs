namespace TraceViewer.Components;

/// <summary>
/// Antiforgery for htmx: the static layout renders the request token in a meta tag, app.js sends it in the
/// <see cref="HeaderAntiforgery.HeaderName"/> header on every htmx request that is not a GET, and state-changing fragment
/// endpoints refuse requests without a valid token (<see cref="HeaderAntiforgery.RequireAntiforgery"/>).
/// </summary>
internal static class HtmxAntiforgery
{
    /// <summary>Name of the meta tag holding the token; read by wwwroot/js/app.js.</summary>
    public const string MetaName = "antiforgery-token";
}
