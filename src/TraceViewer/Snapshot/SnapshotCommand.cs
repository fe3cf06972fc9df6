using System.CommandLine;
using System.Globalization;

namespace TraceViewer.Snapshot;

/// <summary>`publish &lt;dataset keys|trace ids...&gt; &lt;folder&gt;`: a static snapshot of chosen traces.</summary>
internal static class SnapshotCommand
{
    public static Command Create(IServiceProvider services)
    {
        // The folder comes last after any number of targets; one argument takes them all and the last is the folder.
        var arguments = new Argument<string[]>("targets") { Description = "Dataset keys or trace ids, then the folder to write.", Arity = new ArgumentArity(2, 100_000) };
        var force = new Option<bool>("--force") { Description = "Replace the folder when it exists and is not empty." };
        var live = new Option<string?>("--live-url") { Description = "The live app's address; every page links to its live page." };
        var command = new Command("publish", "Write a static site of the chosen traces: index, study and trace pages, charts and data.") { arguments, force, live };
        command.SetAction(async (parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var values = parseResult.GetValue(arguments)!;
            var folder = values[^1];
            await using var scope = services.CreateAsyncScope();
            var builder = ActivatorUtilities.CreateInstance<SnapshotBuilder>(scope.ServiceProvider);
            try
            {
                var summary = await builder.BuildAsync(values[..^1], folder, parseResult.GetValue(force), parseResult.GetValue(live), error, ct);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"published {summary.Traces} traces of {summary.Datasets} datasets to {folder}: {summary.Files} files, {summary.Bytes:N0} bytes, {summary.Elapsed.TotalMilliseconds:F0} ms"));
                return 0;
            }
            catch (Exception e) when (e is SnapshotException or IOException or UnauthorizedAccessException)
            {
                error.WriteLine("error: " + e.Message + "; nothing was written");
                return 1;
            }
        });
        return command;
    }
}
