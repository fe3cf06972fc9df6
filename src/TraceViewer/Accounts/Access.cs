using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;

namespace TraceViewer.Accounts;

/// <summary>
/// What the current user may do, for components. A page opened long ago keeps the user it was opened with, so
/// <see cref="ShowsAsync"/> (what to show) reads that user's claims, while <see cref="AllowsAsync"/> (at the moment of
/// an action) looks at the account as it is now: still there, same sign-in, current role; and the local owner only
/// while no account exists.
/// </summary>
internal interface IAccess
{
    /// <summary>Whether to show controls for <paramref name="policy"/> (one of <see cref="AccessPolicies"/>).</summary>
    Task<bool> ShowsAsync(string policy);

    /// <summary>Whether the action under <paramref name="policy"/> may run now.</summary>
    Task<bool> AllowsAsync(string policy);

    /// <summary>The signed-in user as the page has it (the local owner while no account exists).</summary>
    Task<ClaimsPrincipal> UserAsync();
}

internal sealed class CircuitAccess(AuthenticationStateProvider authentication, AccountsState accounts, IServiceScopeFactory scopes) : IAccess
{
    public async Task<ClaimsPrincipal> UserAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    public async Task<bool> ShowsAsync(string policy) => AccessPolicies.Grants(await UserAsync(), policy, accounts.Exist);

    public async Task<bool> AllowsAsync(string policy)
    {
        var user = await UserAsync();
        if (Sharing.ShareHolder.Is(user))
        {
            // A share link only reads.
            return false;
        }

        var exist = await accounts.RefreshAsync(force: true);
        if (LocalOwner.Is(user) || user.Identity?.IsAuthenticated != true)
        {
            return AccessPolicies.Grants(user, policy, exist);
        }

        // The account as it is now: a removed account or a renewed sign-in (role changed, password changed) fails here.
        await using var scope = scopes.CreateAsyncScope();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<IdentityUser>>();
        if (await signIn.ValidateSecurityStampAsync(user) is not { } account)
        {
            return false;
        }

        var current = await signIn.CreateUserPrincipalAsync(account);
        return AccessPolicies.Grants(current, policy, exist);
    }
}
