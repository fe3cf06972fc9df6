using System.Security.Claims;
using TraceViewer.Accounts;

namespace TraceViewer.Tests;

/// <summary>Component tests' user: every policy granted (the local owner), or only those of one role.</summary>
internal sealed class FixedAccess(string? role) : IAccess
{
    /// <summary>The user's role; null for the local owner. A test may change it before rendering.</summary>
    public string? Role { get; set; } = role;

    /// <summary>The local owner: no accounts, all rights.</summary>
    public static FixedAccess Owner { get; } = new(null);

    /// <summary>Counts the checks made at the moment of an action.</summary>
    public int Confirmations { get; private set; }

    private bool Grants(string policy) => Role is null || Roles.Rank(Role) >= Roles.Rank(AccessPolicies.LeastRole[policy]);

    public Task<bool> ShowsAsync(string policy) => Task.FromResult(Grants(policy));

    public Task<bool> AllowsAsync(string policy)
    {
        Confirmations++;
        return Task.FromResult(Grants(policy));
    }

    public Task<ClaimsPrincipal> UserAsync() => Task.FromResult(Role is null ? LocalOwner.Principal
        : new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, Role + "-id"), new Claim(ClaimTypes.Name, Role + "@example.test"), new Claim(ClaimTypes.Role, Role)], "Test")));
}
