using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Data;

namespace TraceViewer.Accounts;

/// <summary>One account as the users page and <c>users list</c> show it.</summary>
internal sealed record AccountView(string Id, string Email, string Role, DateTimeOffset? LockedUntil);

/// <summary>An open invitation as the users page shows it (never its token).</summary>
internal sealed record InvitationView(int Id, string Email, string Role, DateTimeOffset ExpiresAt);

/// <summary>A new invitation: the token goes into the link shown once to the admin; only its hash is kept.</summary>
internal sealed record NewInvitation(string Token, string Email, string Role, DateTimeOffset ExpiresAt)
{
    /// <summary>The token travels in the query string, which ASP.NET Core leaves out of its request-path log scopes.</summary>
    public const string PathPrefix = "/invitation?token=";

    public string Path => PathPrefix + Token;
}

/// <summary>What a link token is worth.</summary>
internal enum InvitationState
{
    Unknown,
    Valid,
    Used,
    Expired,
}

/// <summary>The outcome of an account change: done, or the reasons it was not (shown to the user as they are).</summary>
internal sealed record AccountResult(IReadOnlyList<string> Errors, string? UserId = null)
{
    public bool Succeeded => Errors.Count == 0;

    public static AccountResult Ok(string? userId = null) => new([], userId);

    public static AccountResult Fail(params string[] errors) => new(errors);
}

/// <summary>Creates accounts, changes roles and handles invitations, on top of ASP.NET Core Identity.</summary>
internal sealed class AccountService(
    UserManager<IdentityUser> users,
    RoleManager<IdentityRole> roles,
    TraceViewerDbContext db,
    AccountsState accounts,
    TimeProvider clock,
    IOptions<AccountsOptions> options)
{
    private static readonly EmailAddressAttribute EmailRule = new();

    public static string? EmailError(string? email) =>
        string.IsNullOrWhiteSpace(email) ? "Enter an email address."
        : email.Length > 256 || !EmailRule.IsValid(email.Trim()) || email.Trim().Contains(' ', StringComparison.Ordinal) ? $"'{email.Trim()}' is not an email address."
        : null;

    /// <summary>A new account with one role. Every check (email, role, password rules, a taken address) is an error, not an exception.</summary>
    public async Task<AccountResult> CreateAsync(string email, string password, string role, CancellationToken ct = default)
    {
        if (EmailError(email) is { } emailError)
        {
            return AccountResult.Fail(emailError);
        }

        if (!Roles.IsRole(role))
        {
            return AccountResult.Fail($"'{role}' is not a role: use {string.Join(", ", Roles.All)}.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var result = await CreateInTransactionAsync(email.Trim(), password, Roles.All[Roles.Rank(role)], ct);
        if (result.Succeeded)
        {
            await transaction.CommitAsync(ct);
            accounts.MarkExist();
        }

        return result;
    }

    private async Task<AccountResult> CreateInTransactionAsync(string email, string password, string role, CancellationToken ct)
    {
        if (await users.FindByEmailAsync(email) is not null)
        {
            return AccountResult.Fail($"There is already an account for {email}.");
        }

        await EnsureRoleAsync(role);
        var user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return new AccountResult([.. created.Errors.Select(e => e.Description)]);
        }

        var added = await users.AddToRoleAsync(user, role);
        ct.ThrowIfCancellationRequested();
        return added.Succeeded ? AccountResult.Ok(user.Id) : new AccountResult([.. added.Errors.Select(e => e.Description)]);
    }

    private async Task EnsureRoleAsync(string role)
    {
        if (!await roles.RoleExistsAsync(role))
        {
            var created = await roles.CreateAsync(new IdentityRole(role));
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"The role {role} could not be created: {string.Join(" ", created.Errors.Select(e => e.Description))}");
            }
        }
    }

    /// <summary>Every account with its role, by email.</summary>
    public async Task<IReadOnlyList<AccountView>> ListAsync(CancellationToken ct = default)
    {
        var rows = await (
            from user in db.Users.AsNoTracking()
            join userRole in db.UserRoles on user.Id equals userRole.UserId into userRoles
            from userRole in userRoles.DefaultIfEmpty()
            join role in db.Roles on userRole.RoleId equals role.Id into named
            from role in named.DefaultIfEmpty()
            select new { user.Id, user.Email, user.LockoutEnd, Role = role == null ? null : role.Name }).ToListAsync(ct);
        var now = clock.GetUtcNow();
        return [.. rows
            .GroupBy(r => r.Id)
            .Select(g => new AccountView(g.Key, g.First().Email ?? "", g.Select(r => r.Role).OfType<string>().MaxBy(Roles.Rank) ?? "(none)",
                g.First().LockoutEnd is { } end && end > now ? end : null))
            .OrderBy(a => a.Email, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// Gives the account <paramref name="role"/> instead of its current one. Its sign-ins are renewed (security stamp),
    /// so the change reaches every open session. The last admin cannot be demoted.
    /// </summary>
    public async Task<AccountResult> ChangeRoleAsync(string userId, string role, CancellationToken ct = default)
    {
        if (!Roles.IsRole(role))
        {
            return AccountResult.Fail($"'{role}' is not a role.");
        }

        role = Roles.All[Roles.Rank(role)];
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return AccountResult.Fail("That account no longer exists.");
        }

        var current = await users.GetRolesAsync(user);
        if (current.Count == 1 && current[0] == role)
        {
            return AccountResult.Ok(user.Id);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (current.Contains(Roles.Admin) && role != Roles.Admin && (await users.GetUsersInRoleAsync(Roles.Admin)).Count <= 1)
        {
            return AccountResult.Fail($"{user.Email} is the only admin: make another account admin first.");
        }

        await EnsureRoleAsync(role);
        var removed = await users.RemoveFromRolesAsync(user, current);
        var added = removed.Succeeded ? await users.AddToRoleAsync(user, role) : removed;
        if (!added.Succeeded)
        {
            return new AccountResult([.. added.Errors.Select(e => e.Description)]);
        }

        await users.UpdateSecurityStampAsync(user);
        await transaction.CommitAsync(ct);
        return AccountResult.Ok(user.Id);
    }

    /// <summary>An invitation for an address that has no account yet; an earlier open one for it is withdrawn.</summary>
    public async Task<(NewInvitation? Invitation, string? Error)> InviteAsync(string email, string role, string? invitedBy, CancellationToken ct = default)
    {
        if (EmailError(email) is { } emailError)
        {
            return (null, emailError);
        }

        if (!Roles.IsRole(role))
        {
            return (null, $"'{role}' is not a role.");
        }

        email = email.Trim();
        if (await users.FindByEmailAsync(email) is not null)
        {
            return (null, $"There is already an account for {email}.");
        }

        var now = clock.GetUtcNow();
        var token = Secrets.NewToken();
        var invitation = new Invitation
        {
            Email = email,
            Role = Roles.All[Roles.Rank(role)],
            TokenHash = Secrets.Hash(token),
            CreatedAt = now,
            ExpiresAt = now + options.Value.InvitationLifetime,
            InvitedBy = invitedBy,
        };
        var earlier = await db.Set<Invitation>().Where(i => i.AcceptedAt == null).ToListAsync(ct);
        db.Set<Invitation>().RemoveRange(earlier.Where(i => string.Equals(i.Email, email, StringComparison.OrdinalIgnoreCase)));
        db.Set<Invitation>().Add(invitation);
        await db.SaveChangesAsync(ct);
        return (new NewInvitation(token, invitation.Email, invitation.Role, invitation.ExpiresAt), null);
    }

    /// <summary>Invitations not used yet (expired ones too, marked by their date), newest first.</summary>
    public async Task<IReadOnlyList<InvitationView>> OpenInvitationsAsync(CancellationToken ct = default)
    {
        var open = await db.Set<Invitation>().AsNoTracking().Where(i => i.AcceptedAt == null)
            .Select(i => new InvitationView(i.Id, i.Email, i.Role, i.ExpiresAt)).ToListAsync(ct);
        return [.. open.OrderByDescending(i => i.ExpiresAt)];
    }

    public async Task WithdrawAsync(int invitationId, CancellationToken ct = default) =>
        await db.Set<Invitation>().Where(i => i.Id == invitationId && i.AcceptedAt == null).ExecuteDeleteAsync(ct);

    /// <summary>What the link's token is worth, with the invitation when there is one.</summary>
    public async Task<(InvitationState State, Invitation? Invitation)> FindInvitationAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return (InvitationState.Unknown, null);
        }

        var hash = Secrets.Hash(token);
        var invitation = await db.Set<Invitation>().AsNoTracking().SingleOrDefaultAsync(i => i.TokenHash == hash, ct);
        return invitation switch
        {
            null => (InvitationState.Unknown, null),
            { AcceptedAt: not null } => (InvitationState.Used, invitation),
            _ when invitation.ExpiresAt <= clock.GetUtcNow() => (InvitationState.Expired, invitation),
            _ => (InvitationState.Valid, invitation),
        };
    }

    /// <summary>
    /// Uses the invitation: marks it used and creates its account in one transaction, so two uses at once give one
    /// account and a refused password leaves the link usable.
    /// </summary>
    public async Task<AccountResult> AcceptInvitationAsync(string token, string password, CancellationToken ct = default)
    {
        var (state, invitation) = await FindInvitationAsync(token, ct);
        if (state != InvitationState.Valid)
        {
            return AccountResult.Fail(InvitationProblem(state));
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var claimed = await db.Set<Invitation>()
            .Where(i => i.Id == invitation!.Id && i.AcceptedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.AcceptedAt, now), ct);
        if (claimed != 1)
        {
            return AccountResult.Fail(InvitationProblem(InvitationState.Used));
        }

        var result = await CreateInTransactionAsync(invitation!.Email, password, invitation.Role, ct);
        if (!result.Succeeded)
        {
            return result;
        }

        await transaction.CommitAsync(ct);
        accounts.MarkExist();
        return result;
    }

    public static string InvitationProblem(InvitationState state) => state switch
    {
        InvitationState.Used => "This invitation has been used already. Sign in, or ask an admin for a new one.",
        InvitationState.Expired => "This invitation has expired. Ask an admin for a new one.",
        _ => "This invitation link is not valid. Check that it was copied whole, or ask an admin for a new one.",
    };
}
