using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;

namespace TraceViewer.Tests.Accounts;

/// <summary>Accounts and invitations written through the app's own services.</summary>
internal static class AccountSeeder
{
    /// <summary>A password Identity's rules accept.</summary>
    public const string Password = "Correct-horse-7";

    public static async Task<string> AddAccountAsync(this TestApp app, string email, string role, string password = Password)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(email, password, role);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors));
        return result.UserId!;
    }

    public static async Task<NewInvitation> InviteAsync(this TestApp app, string email, string role)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var (invitation, error) = await scope.ServiceProvider.GetRequiredService<AccountService>().InviteAsync(email, role, null);
        Assert.Null(error);
        return invitation!;
    }
}
