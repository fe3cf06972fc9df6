using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using TraceViewer.Accounts;
using TraceViewer.Sharing;
using TraceViewer.Tests.Accounts;

namespace TraceViewer.Tests.Sharing;

/// <summary>Who sees "Share", and that making a link checks the role at that moment.</summary>
public sealed class ShareDialogTests : MudComponentTests
{
    [Theory]
    [InlineData(Roles.Reader, false)]
    [InlineData(Roles.Annotator, false)]
    [InlineData(Roles.Researcher, true)]
    [InlineData(Roles.Admin, true)]
    public void OnlyResearchersAndAdminsSeeShare(string role, bool shown)
    {
        Services.AddSingleton<IAccess>(new FixedAccess(role));

        var button = Render<ShareButton>(p => p.Add(b => b.Kind, ShareScopeKind.Trace).Add(b => b.Id, 1));

        Assert.Equal(shown, button.FindAll("[data-testid=share-button]").Count == 1);
    }

    [Fact]
    public void ARoleLostWhileTheDialogIsOpenMakesNoLink()
    {
        var access = new FixedAccess(Roles.Researcher);
        Services.AddSingleton<IAccess>(access);
        var provider = Render<MudDialogProvider>();
        var button = Render<ShareButton>(p => p.Add(b => b.Kind, ShareScopeKind.Trace).Add(b => b.Id, 1));
        button.Find("[data-testid=share-button]").Click();
        provider.WaitForElement("[data-testid=share-create]");

        access.Role = Roles.Reader;
        provider.Find("[data-testid=share-create]").Click();

        provider.WaitForElement("[data-testid=share-error]");
        Assert.Empty(provider.FindAll("[data-testid=share-link]"));
        Assert.Equal(1, access.Confirmations);
    }
}

/// <summary>A share link's holder in an open page: every action refused, whatever the policy.</summary>
public sealed class ShareHolderCircuitTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    private sealed class FixedState(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }

    [Fact]
    public async Task AShareHolderIsAllowedNoActionAndShownNoControls()
    {
        await _app.AddAccountAsync("admin@example.test", Roles.Admin);
        var access = new CircuitAccess(new FixedState(ShareHolder.Principal(1)), _app.Services.GetRequiredService<AccountsState>(),
            _app.Services.GetRequiredService<IServiceScopeFactory>());

        foreach (var policy in AccessPolicies.LeastRole.Keys)
        {
            Assert.False(await access.AllowsAsync(policy), policy);
            Assert.False(await access.ShowsAsync(policy), policy);
        }
    }
}
