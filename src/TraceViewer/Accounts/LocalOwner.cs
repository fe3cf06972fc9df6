using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace TraceViewer.Accounts;

/// <summary>
/// Before the first account exists, every request is the local owner: all rights, no sign-in. This is what
/// <c>dotnet run</c> on loopback gives; the app refuses to listen beyond loopback in this state unless told to
/// (<see cref="AccountsOptions.AllowAnonymousBeyondLoopback"/>). The owner's rights end the moment an account exists,
/// also for pages opened before (their actions are checked again, see <see cref="CircuitAccess"/>).
/// </summary>
internal static class LocalOwner
{
    public const string Scheme = "LocalOwner";

    /// <summary>Picks the local owner or the sign-in cookie for each request.</summary>
    public const string SelectorScheme = "TraceViewer";

    public const string Name = "local owner";

    public static ClaimsPrincipal Principal { get; } = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, "local-owner"), new Claim(ClaimTypes.Name, Name)], Scheme));

    public static bool Is(ClaimsPrincipal user) => user.Identity is { IsAuthenticated: true, AuthenticationType: Scheme };

    /// <summary>
    /// The request's scheme: the local owner while no account exists, else Identity's sign-in cookie, or the share
    /// cookie of a visitor who opened a share link and is not signed in.
    /// </summary>
    public static string Select(HttpContext context) =>
        !context.RequestServices.GetRequiredService<AccountsState>().Exist ? Scheme
        : Sharing.ShareHolder.Carries(context.Request) ? Sharing.ShareHolder.Scheme
        : IdentityConstants.ApplicationScheme;

    internal sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Principal, LocalOwner.Scheme)));
    }
}
