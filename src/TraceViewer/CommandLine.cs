using System.CommandLine;

namespace TraceViewer;

/// <summary>
/// Offline commands run through the app's own services: `import`, `export`, `metrics`, `recompute`, `agreement`.
/// Anything else starts the web server.
/// </summary>
internal static class CommandLine
{
    private static readonly string[] Commands = ["import", "export", "metrics", "recompute", "agreement"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var root = new RootCommand("TraceViewer offline commands")
        {
            Import.ImportCommands.Import(services),
            Import.ImportCommands.Export(services),
            Metrics.MetricsCommand.Create(),
            Metrics.RecomputeCommand.Create(services),
            Statistics.Agreement.AgreementCommand.Create(),
        };
        return await root.Parse(args).InvokeAsync();
    }
}
