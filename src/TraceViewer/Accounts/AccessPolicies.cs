using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace TraceViewer.Accounts;

/// <summary>
/// Every authorization policy, in one place. Each asks for a least role; the local owner (no accounts yet, see
/// <see cref="LocalOwner"/>) passes them all. <see cref="Read"/> is also the fallback policy: with accounts, every
/// endpoint that does not say otherwise needs a signed-in user.
/// </summary>
internal static class AccessPolicies
{
    /// <summary>Pages and GET APIs: every role.</summary>
    public const string Read = "read";

    /// <summary>Tagging sentences and giving verdicts: annotator and above.</summary>
    public const string Annotate = "annotate";

    /// <summary>Import, jobs (start, pause, resume, cancel) and recompute: researcher and above.</summary>
    public const string Research = "research";

    /// <summary>Users and invitations, taxonomies, deletion: admin.</summary>
    public const string Administer = "administer";

    public static IReadOnlyDictionary<string, string> LeastRole { get; } = new Dictionary<string, string>
    {
        [Read] = Roles.Reader,
        [Annotate] = Roles.Annotator,
        [Research] = Roles.Researcher,
        [Administer] = Roles.Admin,
    };

    public static void Add(AuthorizationOptions options)
    {
        foreach (var (name, role) in LeastRole)
        {
            options.AddPolicy(name, policy => policy.AddRequirements(new LeastRoleRequirement(role)));
        }

        options.FallbackPolicy = options.GetPolicy(Read);
    }

    /// <summary>Whether <paramref name="user"/>'s claims grant <paramref name="policy"/>, given whether any account exists.</summary>
    public static bool Grants(ClaimsPrincipal user, string policy, bool accountsExist) =>
        HasLeastRole(user, LeastRole[policy], accountsExist);

    private static bool HasLeastRole(ClaimsPrincipal user, string leastRole, bool accountsExist)
    {
        if (LocalOwner.Is(user))
        {
            return !accountsExist;
        }

        return user.Identity?.IsAuthenticated == true && Roles.AtLeast(leastRole).Any(user.IsInRole);
    }

    internal sealed record LeastRoleRequirement(string Role) : IAuthorizationRequirement;

    internal sealed class LeastRoleHandler(AccountsState accounts, Sharing.ShareAccess shares, IServiceScopeFactory scopes) : AuthorizationHandler<LeastRoleRequirement>
    {
        protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, LeastRoleRequirement requirement)
        {
            if (HasLeastRole(context.User, requirement.Role, accounts.Exist))
            {
                context.Succeed(requirement);
            }
            else if (requirement.Role == Roles.Reader && Sharing.ShareHolder.Is(context.User)
                     && await shares.AdmitsAsync(context.User, context.Resource))
            {
                // A share link reads its own scope (GET pages of that trace or study) and nothing else; it never writes.
                context.Succeed(requirement);
            }
            else if (requirement.Role == Roles.Reader && accounts.Exist && PublicRead.IsSignedOut(context.User)
                     && await PublicRead.AdmitsAsync(context.Resource, scopes))
            {
                // Signed out: the pages and GET routes that read datasets, filtered to the public ones; never a write.
                context.Succeed(requirement);
            }
        }
    }
}
