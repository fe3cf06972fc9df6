using System.Net;
using TraceViewer.Accounts;

namespace TraceViewer.Tests.Accounts;

/// <summary>`users add` and `users list` through the app's own services on a SQLite file.</summary>
public sealed class UsersCommandTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    private async Task<(int Exit, string Output, string Error)> RunAsync(string? input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(_app.Services, args, output, error, new StringReader(input ?? ""));
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task AddGeneratesAPasswordPrintedOnceThatSignsIn()
    {
        var (exit, output, _) = await RunAsync(null, "users", "add", "first@example.test", "--role", "admin");
        var password = output.Split('\n').Single(l => l.StartsWith("Password", StringComparison.Ordinal)).Split(": ")[1].Trim();

        var signIn = await _app.NewClient().SignInAsync("first@example.test", password);

        Assert.Equal(0, exit);
        Assert.Equal(20, password.Length);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    [Fact]
    public async Task AddReadsThePasswordFromStandardInputAndListShowsRoles()
    {
        var (exit, output, _) = await RunAsync(AccountSeeder.Password + "\n", "users", "add", "r@example.test", "--role", "Researcher", "--password-stdin");
        await RunAsync(null, "users", "add", "a@example.test", "--role", "admin");
        var list = await RunAsync(null, "users", "list");
        var signIn = await _app.NewClient().SignInAsync("r@example.test");

        Assert.Equal(0, exit);
        Assert.DoesNotContain(AccountSeeder.Password, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal(["a@example.test  admin", "r@example.test  researcher"], list.Output.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("owner", "--role")]
    [InlineData("not-an-email", "--role")]
    public async Task AWrongRoleOrAddressIsRefusedWithoutAnAccount(string what, string option)
    {
        var args = what == "owner"
            ? new[] { "users", "add", "x@example.test", option, "owner" }
            : ["users", "add", "not-an-email", option, "reader"];

        var (exit, _, error) = await RunAsync(null, args);
        var list = await RunAsync(null, "users", "list");

        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.StartsWith("No accounts", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWeakPasswordIsRefusedByIdentitysRules()
    {
        var (exit, _, error) = await RunAsync("password\n", "users", "add", "weak@example.test", "--role", "reader", "--password-stdin");

        Assert.Equal(1, exit);
        Assert.Contains("uppercase", error, StringComparison.Ordinal);
    }
}
