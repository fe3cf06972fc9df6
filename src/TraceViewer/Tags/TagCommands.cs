using System.CommandLine;
using TraceViewer.Import;

namespace TraceViewer.Tags;

/// <summary>`export-tags` and `import-tags`: tags and notes as CSV or JSONL (the file's extension says which).</summary>
internal static class TagCommands
{
    public static Command Export(IServiceProvider services)
    {
        var file = new Argument<string>("file") { Description = "The .csv or .jsonl file to write (replaced if it exists)." };
        var dataset = new Option<string?>("--dataset") { Description = "Only tags on this dataset's traces (by key)." };
        var taxonomy = new Option<string?>("--taxonomy") { Description = "Only this taxonomy's tags (by name)." };
        var command = new Command("export-tags", "Write every tag on a sentence, with its note, to a CSV or JSONL file.") { file, dataset, taxonomy };
        command.SetAction(async (parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var target = parseResult.GetValue(file)!;
            if (TagFile.FormatOf(target) is not { } format)
            {
                error.WriteLine($"error: {target}: a tag file ends in .csv or .jsonl");
                return 1;
            }

            await using var scope = services.CreateAsyncScope();
            var transfer = scope.ServiceProvider.GetRequiredService<TagTransfer>();
            var temporary = target + ".partial";
            try
            {
                int rows;
                // Written beside the target and moved at the end, so a failed export leaves no half file.
                await using (var stream = File.Create(temporary))
                await using (var writer = TagTransfer.OpenWriter(stream))
                {
                    rows = await transfer.ExportAsync(writer, format, parseResult.GetValue(dataset), parseResult.GetValue(taxonomy), ct);
                }

                File.Move(temporary, target, overwrite: true);
                output.WriteLine($"exported {rows} tags to {target}");
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

    public static Command Import(IServiceProvider services)
    {
        var file = new Argument<string>("file") { Description = "A .csv or .jsonl tag file (as export-tags writes)." };
        var command = new Command("import-tags", "Import tags and notes from a CSV or JSONL file (all or nothing; importing it again changes nothing).") { file };
        command.SetAction(async (parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            await using var scope = services.CreateAsyncScope();
            var transfer = scope.ServiceProvider.GetRequiredService<TagTransfer>();
            try
            {
                var summary = await transfer.ImportAsync(parseResult.GetValue(file)!, ct);
                foreach (var warning in summary.Warnings)
                {
                    error.WriteLine("warning: " + warning);
                }

                output.WriteLine($"tags: {summary.Added} added, {summary.Updated} updated, {summary.Unchanged} unchanged");
                return 0;
            }
            catch (ImportException e)
            {
                error.WriteLine("error: " + e.Message + "; nothing was imported");
                return 1;
            }
            catch (Exception e) when (DatabaseWriteException.Describe(e) is { } reason)
            {
                error.WriteLine("error: the database could not be written: " + reason + "; nothing was imported");
                return 1;
            }
        });
        return command;
    }
}
