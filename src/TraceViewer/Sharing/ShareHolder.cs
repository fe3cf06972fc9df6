using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using TraceViewer.Studies;
using TraceViewer.Traces;

namespace TraceViewer.Sharing;

/// <summary>
/// Whoever opened a share link: no account and no role, only the share's id, carried in the <c>tv-share</c> cookie
/// (HttpOnly, SameSite=Lax, for the browser session, data-protected so it cannot be read or forged). The
/// <see cref="ShareAccess"/> check lets it read its scope; every other policy fails for it, so it writes nothing.
/// Outside its scope it is answered as a signed-out visitor (sent to sign in, or 401).
/// </summary>
internal static class ShareHolder
{
    public const string Scheme = "Share";
    public const string CookieName = "tv-share";
    public const string ShareIdClaim = "tv-share-id";
    public const string Name = "shared link";
    private const string Purpose = "TraceViewer.Sharing.Cookie.v1";

    public static ClaimsPrincipal Principal(int shareId) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, "share:" + shareId.ToString(CultureInfo.InvariantCulture)),
        new Claim(ClaimTypes.Name, Name),
        new Claim(ShareIdClaim, shareId.ToString(CultureInfo.InvariantCulture)),
    ], Scheme));

    public static bool Is(ClaimsPrincipal user) => user.Identity is { IsAuthenticated: true, AuthenticationType: Scheme };

    public static int? ShareId(ClaimsPrincipal user) =>
        Is(user) && int.TryParse(user.FindFirstValue(ShareIdClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>Whether the request carries a share cookie and no sign-in cookie (a signed-in account keeps its own rights).</summary>
    public static bool Carries(HttpRequest request) =>
        request.Cookies.ContainsKey(CookieName) && !request.Cookies.ContainsKey("tv-auth");

    /// <summary>
    /// Sets the cookie for the browser session. The share's expiry and revocation are checked against the database on
    /// every request and navigation, so the cookie itself needs no lifetime.
    /// </summary>
    public static void Issue(HttpContext context, int shareId)
    {
        var protector = context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
        var value = protector.Protect(shareId.ToString(CultureInfo.InvariantCulture));
        context.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
    }

    internal sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDataProtectionProvider protection)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            try
            {
                var text = protection.CreateProtector(Purpose).Unprotect(value);
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    return Task.FromResult(AuthenticateResult.Fail("Malformed share cookie."));
                }

                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Principal(id), ShareHolder.Scheme)));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                return Task.FromResult(AuthenticateResult.Fail("Share cookie not made by this app."));
            }
        }

        // Outside its scope a share holder is a signed-out visitor: the sign-in cookie's challenge (sign-in page or 401).
        protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
            Context.ChallengeAsync(IdentityConstants.ApplicationScheme, properties);

        protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
            Context.ChallengeAsync(IdentityConstants.ApplicationScheme, properties);
    }
}

/// <summary>What a share holder may read: pages of its scope (GET) while the share works, and the circuit connection that runs them.</summary>
internal sealed class ShareAccess(IServiceScopeFactory scopes)
{
    public async Task<bool> AdmitsAsync(ClaimsPrincipal user, object? resource)
    {
        if (ShareHolder.ShareId(user) is not { } shareId)
        {
            return false;
        }

        var (page, id) = resource switch
        {
            HttpContext http => Describe(http),
            Microsoft.AspNetCore.Components.RouteData route => Describe(route.PageType, route.RouteValues),
            _ => (SharedPage.Other, null),
        };

        await using var scope = scopes.CreateAsyncScope();
        var shares = scope.ServiceProvider.GetRequiredService<ShareService>();
        if (resource is HttpContext context && IsCircuit(context.Request.Path))
        {
            // Blazor's connection (negotiate, the WebSocket, disconnect): every page it shows is checked by the router.
            return await shares.WorksAsync(shareId);
        }

        return page != SharedPage.Other && await shares.AdmitsAsync(shareId, page, id);
    }

    private static bool IsCircuit(PathString path) => path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase);

    private static (SharedPage Page, int? Id) Describe(HttpContext http)
    {
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            return (SharedPage.Other, null);
        }

        var type = http.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>()?.Type;
        return type is null ? (SharedPage.Other, null) : Describe(type, http.Request.RouteValues);
    }

    private static (SharedPage Page, int? Id) Describe(Type pageType, IReadOnlyDictionary<string, object?> values)
    {
        var page = pageType == typeof(TracePage) ? SharedPage.Trace : pageType == typeof(StudyPage) ? SharedPage.Study : SharedPage.Other;
        var id = values.FirstOrDefault(v => string.Equals(v.Key, "Id", StringComparison.OrdinalIgnoreCase)).Value switch
        {
            int number => number,
            string text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => (int?)null,
        };
        return (page, id);
    }
}
