using System.CommandLine;

namespace TraceViewer;

/// <summary>What the arguments ask for: the web server, an offline command, help, or a command that does not exist.</summary>
internal enum LaunchMode
{
    Web,
    Command,
    Help,
    Unknown,
}

/// <summary>
/// Offline commands run through the app's own services: `import`, `export`, `import-tags`, `export-tags`, `metrics`,
/// `recompute`, `agreement`, `users`, `publish`. Without a
/// command the web server starts; its settings may follow as `--Key=value` (or `Key=value`, `/Key=value`).
/// </summary>
internal static class CommandLine
{
    private static readonly string[] Commands = ["import", "export", "import-tags", "export-tags", "metrics", "recompute", "agreement", "users", "publish"];

    public static LaunchMode Classify(string[] args)
    {
        if (args.Length == 0)
        {
            return LaunchMode.Web;
        }

        var first = args[0];
        if (first is "--help" or "-h" or "-?" or "help")
        {
            return LaunchMode.Help;
        }

        if (Commands.Contains(first, StringComparer.Ordinal))
        {
            return LaunchMode.Command;
        }

        // A setting for the web server; a bare word is a mistyped command, which must not start the server instead.
        return first.StartsWith('-') || first.StartsWith('/') || first.Contains('=', StringComparison.Ordinal) ? LaunchMode.Web : LaunchMode.Unknown;
    }

    /// <summary>Prints the commands; for an unknown one, says so first. Returns the exit code.</summary>
    public static int PrintUsage(string[] args, TextWriter output, LaunchMode mode)
    {
        if (mode == LaunchMode.Unknown)
        {
            output.WriteLine($"error: '{args[0]}' is not a command.");
            output.WriteLine();
        }

        output.WriteLine("""
            Usage: TraceViewer [command] [arguments]

            Commands:
              import <file-or-folder>            import traces (all or nothing)
              export <file.jsonl> [--dataset k]  write traces in TraceViewer's JSONL format (with their tags)
              import-tags <file.csv|.jsonl>      import tags and notes (all or nothing)
              export-tags <file.csv|.jsonl>      write tags and notes [--dataset k] [--taxonomy name]
              metrics <case.json>                compute per-sentence metrics of a conformance case
              recompute [--trace id] [...]       recompute and store metrics from stored resamples
              agreement <case.json>              agreement statistics of a case (or of every case of agreement.json)
              users add <email> --role <role>    create an account (reader, annotator, researcher, admin); the first
                                                 turns sign-in on; --password-stdin reads the password, else one is printed
              users list                         the accounts and their roles
              publish <keys|ids...> <folder>     write a static snapshot of datasets or traces [--force] [--live-url u]

            Without a command the web server starts; settings follow as --Key=value (e.g. --Urls=http://localhost:5000).
            `<command> --help` describes a command's arguments.
            """);
        output.WriteLine();
        output.WriteLine("Import formats:");
        foreach (var format in Import.ImportFormats.All)
        {
            output.WriteLine($"  {format.Name,-34} {format.Title}");
        }

        return mode == LaunchMode.Unknown ? 2 : 0;
    }

    /// <summary>Exit code of a command that needs to write while the database is open read-only.</summary>
    public const int ReadOnlyExitCode = 3;

    private static readonly string[] WritingCommands = ["import", "import-tags", "recompute"];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null, TextWriter? error = null, TextReader? input = null)
    {
        var configuration = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error };
        if (WritingCommands.Contains(args[0], StringComparer.Ordinal) && services.GetRequiredService<Data.DatabaseAccess>().ReadOnlyReason is { } reason)
        {
            configuration.Error.WriteLine($"error: {args[0]} changes the database, which is open read-only ({reason}).");
            return ReadOnlyExitCode;
        }

        var root = new RootCommand("TraceViewer offline commands")
        {
            Import.ImportCommands.Import(services),
            Import.ImportCommands.Export(services),
            Tags.TagCommands.Import(services),
            Tags.TagCommands.Export(services),
            MetricSets.MetricsCommand.Create(),
            MetricSets.RecomputeCommand.Create(services),
            Statistics.Agreement.AgreementCommand.Create(),
            Accounts.UsersCommand.Create(services, input ?? Console.In),
            Snapshot.SnapshotCommand.Create(services),
        };
        return await root.Parse(args).InvokeAsync(configuration);
    }
}
