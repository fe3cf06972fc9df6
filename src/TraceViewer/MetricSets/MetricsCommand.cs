using System.CommandLine;
using System.Text.Json;
using TraceViewer.Metrics.Engine;

namespace TraceViewer.MetricSets;

/// <summary>`metrics case.json [--threshold t]`: reference-compatible metrics of a conformance file, as JSON.</summary>
internal static class MetricsCommand
{
    private static readonly JsonSerializerOptions Output = new() { WriteIndented = true };

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A file in the shared/conformance case format." };
        var threshold = new Option<double?>("--threshold") { Description = "Similarity threshold (default: the file's \"threshold\", else 0.8)." };
        var command = new Command("metrics", "Compute per-chunk metrics for a file in the conformance format and print them as JSON.")
        {
            file,
            threshold,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetValue(file)!,
            parseResult.GetValue(threshold),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(FileInfo file, double? threshold, TextWriter output, TextWriter error)
    {
        IReadOnlyList<ReferenceChunkValues> values;
        try
        {
            var metrics = ConformanceCase.Load(file.FullName).Compute(threshold);
            values = [.. metrics.Chunks.Select(ReferenceChunkValues.From)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {file}: {(e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : e.Message)}");
            return 1;
        }
        catch (JsonException e)
        {
            error.WriteLine($"error: {file}: malformed JSON: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or ArgumentException)
        {
            error.WriteLine($"error: {file}: {e.Message}");
            return 1;
        }

        output.WriteLine(JsonSerializer.Serialize(values, Output));
        return 0;
    }
}
