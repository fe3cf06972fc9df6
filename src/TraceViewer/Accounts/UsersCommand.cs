using System.CommandLine;
using System.Globalization;
using TraceViewer.Data;

namespace TraceViewer.Accounts;

/// <summary>
/// `users add &lt;email&gt; --role &lt;role&gt; [--password-stdin]` and `users list`. Adding the first account turns sign-in on.
/// A password is read from standard input (one line) or generated and printed once; it is never logged.
/// </summary>
internal static class UsersCommand
{
    public static Command Create(IServiceProvider services, TextReader input)
    {
        var email = new Argument<string>("email") { Description = "The account's email address (also its user name)." };
        var role = new Option<string>("--role") { Description = $"One of {string.Join(", ", Roles.All)}.", Required = true };
        var fromInput = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input instead of generating one." };
        var add = new Command("add", "Create an account with a role; the first account turns sign-in on.") { email, role, fromInput };
        add.SetAction((parseResult, ct) => AddAsync(services, parseResult.GetValue(email)!, parseResult.GetValue(role)!,
            parseResult.GetValue(fromInput) ? input : null, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, ct));

        var list = new Command("list", "List the accounts with their roles.");
        list.SetAction((parseResult, ct) => ListAsync(services, parseResult.InvocationConfiguration.Output, ct));
        return new Command("users", "Manage accounts: add, list.") { add, list };
    }

    private static async Task<int> AddAsync(IServiceProvider services, string email, string role, TextReader? input, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (services.GetRequiredService<DatabaseAccess>().ReadOnlyReason is { } reason)
        {
            await error.WriteLineAsync($"error: users add changes the database, which is open read-only ({reason}).");
            return CommandLine.ReadOnlyExitCode;
        }

        string password;
        var generated = input is null;
        if (input is not null)
        {
            password = (await input.ReadLineAsync(ct))?.TrimEnd('\r') ?? "";
            if (password.Length == 0)
            {
                await error.WriteLineAsync("error: --password-stdin was given but standard input had no password on its first line.");
                return 1;
            }
        }
        else
        {
            password = Secrets.NewPassword();
        }

        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(email, password, role, ct);
        if (!result.Succeeded)
        {
            foreach (var problem in result.Errors)
            {
                await error.WriteLineAsync("error: " + problem);
            }

            return 1;
        }

        var canonicalRole = Roles.All[Roles.Rank(role)];
        await output.WriteLineAsync($"Created {email.Trim()} ({canonicalRole}). Sign-in is on.");
        if (generated)
        {
            await output.WriteLineAsync($"Password (shown only now; change it after signing in): {password}");
        }

        return 0;
    }

    private static async Task<int> ListAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var accounts = await scope.ServiceProvider.GetRequiredService<AccountService>().ListAsync(ct);
        if (accounts.Count == 0)
        {
            await output.WriteLineAsync("No accounts: sign-in is off (every request on loopback is the local owner).");
            return 0;
        }

        var width = accounts.Max(a => a.Email.Length);
        foreach (var account in accounts)
        {
            var locked = account.LockedUntil is { } until ? string.Create(CultureInfo.InvariantCulture, $"  locked out until {until:yyyy-MM-dd HH:mm} UTC") : "";
            await output.WriteLineAsync($"{account.Email.PadRight(width)}  {account.Role}{locked}");
        }

        return 0;
    }
}
