using Microsoft.Extensions.DependencyInjection;

namespace TraceViewer.Tests;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("Web")]
    [InlineData("Web", "--urls=http://127.0.0.1:5001")]
    [InlineData("Web", "--Jobs:WorkerEnabled", "false")]
    [InlineData("Web", "Jobs:WorkerEnabled=false")]
    [InlineData("Web", "/Urls=http://127.0.0.1:5001")]
    [InlineData("Command", "import", "x.json")]
    [InlineData("Command", "recompute")]
    [InlineData("Help", "--help")]
    [InlineData("Unknown", "agrement", "x.json")]
    [InlineData("Unknown", "Import", "x.json")]
    [InlineData("Unknown", "serve")]
    public void ArgumentsChooseWhatStarts(string expected, params string[] args) =>
        Assert.Equal(Enum.Parse<LaunchMode>(expected), CommandLine.Classify(args));

    [Fact]
    public void AnUnknownCommandIsNamedWithTheListOfCommandsAndFails()
    {
        using var output = new StringWriter();

        var exit = CommandLine.PrintUsage(["agrement", "x.json"], output, LaunchMode.Unknown);

        Assert.NotEqual(0, exit);
        Assert.StartsWith("error: 'agrement' is not a command.", output.ToString(), StringComparison.Ordinal);
        Assert.All(["import", "export", "metrics", "recompute"], c => Assert.Contains("  " + c + " ", output.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void EachListedCommandIsTheCommandThatRunsUnderItsName()
    {
        using var services = new ServiceCollection().BuildServiceProvider();

        var root = CommandLine.Root(services, TextReader.Null);

        Assert.Equal(CommandLine.Names, root.Subcommands.Select(c => c.Name));
        Assert.All(CommandLine.Names, name => Assert.Equal(LaunchMode.Command, CommandLine.Classify([name])));
    }

    [Theory]
    [InlineData("import", true)]
    [InlineData("export-tags", true)]
    [InlineData("agreement", true)]
    [InlineData("users", false)]
    [InlineData("publish", false)]
    [InlineData("serve", false)]
    public void OnlyCommandsThatNeedNoPagesOrAccountsRunWithoutTheWebServer(string command, bool alone) =>
        Assert.Equal(alone, CommandLine.RunsWithoutWebServer(command));
}
