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
    /// <summary>
    /// Every offline command, in one place: how it is made, whether it changes the database (refused while the database
    /// is open read-only), and whether it needs the web server's services (accounts, rendering) or runs on the data
    /// services alone (<see cref="Web.CommandHost"/>).
    /// </summary>
    private static readonly OfflineCommand[] Commands =
    [
        new("import", (services, _) => Import.ImportCommands.Import(services), Writes: true),
        new("export", (services, _) => Import.ImportCommands.Export(services)),
        new("import-tags", (services, _) => Tags.TagCommands.Import(services), Writes: true),
        new("export-tags", (services, _) => Tags.TagCommands.Export(services)),
        new("metrics", (_, _) => MetricSets.MetricsCommand.Create()),
        new("recompute", (services, _) => MetricSets.RecomputeCommand.Create(services), Writes: true),
        new("agreement", (_, _) => Statistics.Agreement.AgreementCommand.Create()),
        new("users", (services, input) => Accounts.UsersCommand.Create(services, input), NeedsWebServer: true),
        new("publish", (services, _) => Snapshot.SnapshotCommand.Create(services), NeedsWebServer: true),
    ];

    private sealed record OfflineCommand(string Name, Func<IServiceProvider, TextReader, Command> Create, bool Writes = false, bool NeedsWebServer = false);

    private static OfflineCommand? Find(string name) => Array.Find(Commands, c => string.Equals(c.Name, name, StringComparison.Ordinal));

    /// <summary>Whether the command runs on the data services alone, without starting any part of the web server.</summary>
    public static bool RunsWithoutWebServer(string name) => Find(name) is { NeedsWebServer: false };

    /// <summary>The commands' names, in the order of the usage text.</summary>
    public static IReadOnlyList<string> Names => Array.ConvertAll(Commands, c => c.Name);

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

        if (Find(first) is not null)
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

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null, TextWriter? error = null, TextReader? input = null)
    {
        var configuration = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error };
        var command = Find(args[0]) ?? throw new ArgumentException($"'{args[0]}' is not a command.", nameof(args));
        if (command.Writes && services.GetRequiredService<Data.DatabaseAccess>().ReadOnlyReason is { } reason)
        {
            configuration.Error.WriteLine($"error: {args[0]} changes the database, which is open read-only ({reason}).");
            return ReadOnlyExitCode;
        }

        return await Root(services, input ?? Console.In).Parse(args).InvokeAsync(configuration);
    }

    /// <summary>Every offline command with its arguments; a command reads its services only when it runs.</summary>
    internal static RootCommand Root(IServiceProvider services, TextReader input)
    {
        var root = new RootCommand("TraceViewer offline commands");
        foreach (var command in Commands)
        {
            root.Subcommands.Add(command.Create(services, input));
        }

        return root;
    }
}
