using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;

namespace TraceViewer.Tests.Accounts;

/// <summary>Actions in an open page are checked against the account as it is now, not as the page was opened.</summary>
public sealed class CircuitAccessTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    private sealed class FixedState(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }

    private CircuitAccess For(ClaimsPrincipal user) =>
        new(new FixedState(user), _app.Services.GetRequiredService<AccountsState>(), _app.Services.GetRequiredService<IServiceScopeFactory>());

    private async Task<ClaimsPrincipal> PrincipalAsync(string userId)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<IdentityUser>>();
        return await signIn.CreateUserPrincipalAsync((await signIn.UserManager.FindByIdAsync(userId))!);
    }

    [Fact]
    public async Task ThePageOpenedByTheLocalOwnerLosesItsRightsWhenTheFirstAccountIsCreated()
    {
        var owner = For(LocalOwner.Principal);
        var before = await owner.AllowsAsync(AccessPolicies.Research);

        await _app.AddAccountAsync("admin@example.test", Roles.Admin);

        Assert.True(before);
        Assert.False(await owner.AllowsAsync(AccessPolicies.Research));
        Assert.False(await owner.AllowsAsync(AccessPolicies.Read));
    }

    [Fact]
    public async Task ARoleChangedWhileThePageIsOpenCountsAtTheNextAction()
    {
        await _app.AddAccountAsync("admin@example.test", Roles.Admin);
        var id = await _app.AddAccountAsync("r@example.test", Roles.Researcher);
        var access = For(await PrincipalAsync(id));
        var before = await access.AllowsAsync(AccessPolicies.Research);

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<AccountService>().ChangeRoleAsync(id, Roles.Reader)).Succeeded);
        }

        Assert.True(before);
        // What the page shows still follows the claims it was opened with; the action itself is refused.
        Assert.True(await access.ShowsAsync(AccessPolicies.Research));
        Assert.False(await access.AllowsAsync(AccessPolicies.Research));
        Assert.False(await access.AllowsAsync(AccessPolicies.Read));
    }

    [Fact]
    public async Task AnnotatorsMayAnnotateButNotStartJobs()
    {
        await _app.AddAccountAsync("admin@example.test", Roles.Admin);
        var access = For(await PrincipalAsync(await _app.AddAccountAsync("a@example.test", Roles.Annotator)));

        Assert.True(await access.AllowsAsync(AccessPolicies.Annotate));
        Assert.False(await access.AllowsAsync(AccessPolicies.Research));
        Assert.False(await access.AllowsAsync(AccessPolicies.Administer));
        Assert.False(await For(new ClaimsPrincipal(new ClaimsIdentity())).AllowsAsync(AccessPolicies.Read));
    }
}
