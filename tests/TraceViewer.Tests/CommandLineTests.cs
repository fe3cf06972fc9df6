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
}
