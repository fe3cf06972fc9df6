using System.CommandLine;
using System.Globalization;

namespace TraceViewer.Import;

internal static class ImportCommands
{
    public static Command Import(IServiceProvider services)
    {
        var path = new Argument<string>("path") { Description = $"A folder to search for traces, or one file ({ImportFormats.TitlesInWords})." };
        var workspace = new Option<string?>("--workspace")
        {
            Description = "The workspace new datasets go to (its name; default: Default). Given, a dataset already stored in another workspace is refused.",
        };
        var command = new Command("import", "Import every trace found below a file or folder. Formats: "
            + string.Join("; ", ImportFormats.All.Select(f => $"{f.Title} ({f.Name}): {f.Help}")) + ".") { path, workspace };
        command.SetAction(async (parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            await using var scope = services.CreateAsyncScope();
            var importer = scope.ServiceProvider.GetRequiredService<ImportService>();
            try
            {
                int? workspaceId = null;
                if (parseResult.GetValue(workspace) is { } name)
                {
                    if (await importer.WorkspaceAsync(name.Trim(), ct) is not { } found)
                    {
                        error.WriteLine($"error: there is no workspace named \"{name}\"; nothing was imported");
                        return 1;
                    }

                    workspaceId = found.Id;
                }

                var summary = await importer.ImportAsync(parseResult.GetValue(path)!, namesAboveRoot: true, new ProgressLines(error), ct, workspaceId: workspaceId);
                foreach (var warning in summary.Warnings)
                {
                    error.WriteLine("warning: " + warning);
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"datasets: {summary.Datasets}, traces: {summary.TracesAdded} added, {summary.TracesUpdated} updated, {summary.TracesUnchanged} unchanged, "
                    + $"sentences: {summary.Sentences}, resamples: {summary.Resamples}, elapsed: {summary.Elapsed.TotalMilliseconds:F0} ms"));
                return 0;
            }
            catch (Exception e) when (e is ImportException or DatabaseWriteException)
            {
                error.WriteLine("error: " + e.Message);
                return 1;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Every expected failure is named above; anything else still ends with one line, not a stack trace.
                error.WriteLine($"error: the import failed unexpectedly ({e.GetType().Name}: {e.Message}); nothing was imported");
                return 2;
            }
        });
        return command;
    }

    public static Command Export(IServiceProvider services)
    {
        var file = new Argument<string>("file") { Description = "The .jsonl file to write (replaced if it exists)." };
        var dataset = new Option<string?>("--dataset") { Description = "Export only the dataset with this key." };
        var command = new Command("export", "Export traces to the native JSONL format.") { file, dataset };
        command.SetAction(async (parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var target = parseResult.GetValue(file)!;
            await using var scope = services.CreateAsyncScope();
            var exporter = scope.ServiceProvider.GetRequiredService<NativeJsonlExporter>();
            var temporary = target + ".partial";
            try
            {
                NativeJsonlExporter.ExportSummary summary;
                // Written beside the target and moved at the end, so a failed export leaves no half file.
                await using (var stream = File.Create(temporary))
                {
                    summary = await exporter.ExportAsync(stream, parseResult.GetValue(dataset), ct);
                }

                File.Move(temporary, target, overwrite: true);
                output.WriteLine($"exported {summary.Traces} traces ({summary.Resamples} resamples) of {summary.Datasets} datasets to {target}");
                return 0;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                File.Delete(temporary);
                error.WriteLine("error: " + e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>Prints parse and write progress to stderr, one line per tenth of each phase.</summary>
    private sealed class ProgressLines(TextWriter error) : IProgress<ImportProgress>
    {
        private int _lastFiles = -1;
        private int _lastTraces = -1;

        public void Report(ImportProgress value)
        {
            if (value.FilesTotal > 0 && Step(value.FilesParsed, value.FilesTotal, ref _lastFiles))
            {
                error.WriteLine($"parsed {value.FilesParsed}/{value.FilesTotal} files");
            }

            if (value.TracesTotal > 0 && Step(value.TracesWritten, value.TracesTotal, ref _lastTraces))
            {
                error.WriteLine($"written {value.TracesWritten}/{value.TracesTotal} traces");
            }
        }

        private static bool Step(int done, int total, ref int last)
        {
            var tenth = done * 10 / total;
            if (tenth == last)
            {
                return false;
            }

            last = tenth;
            return true;
        }
    }
}
