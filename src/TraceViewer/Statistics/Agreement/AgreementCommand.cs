using System.CommandLine;
using System.Text.Json;

namespace TraceViewer.Statistics.Agreement;

/// <summary>
/// `agreement case.json [--bootstrap n] [--seed s]`: the agreement statistics of a case in the
/// shared/conformance/agreement.json shape (or of every case of that file) as JSON, null where undefined.
/// </summary>
internal static class AgreementCommand
{
    private static readonly JsonSerializerOptions Output = new() { WriteIndented = true };

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A case {name, categories, ratings}, or a file with a \"cases\" array." };
        var bootstrap = new Option<int?>("--bootstrap")
        {
            Description = $"Add percentile bootstrap intervals over items from this many replicates (at least {BootstrapOptions.MinimumReplicates}).",
        };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the bootstrap (default 0); the same seed gives the same intervals." };
        var command = new Command("agreement", "Compute agreement between annotators (Cohen, Fleiss, Krippendorff) and print it as JSON.")
        {
            file,
            bootstrap,
            seed,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetValue(file)!,
            parseResult.GetValue(bootstrap),
            parseResult.GetValue(seed),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(FileInfo file, int? replicates, ulong seed, TextWriter output, TextWriter error)
    {
        BootstrapOptions? bootstrap = null;
        if (replicates is { } count)
        {
            if (count < BootstrapOptions.MinimumReplicates)
            {
                error.WriteLine($"error: --bootstrap needs at least {BootstrapOptions.MinimumReplicates} replicates, not {count}");
                return 1;
            }

            bootstrap = new BootstrapOptions(count, seed);
        }

        IReadOnlyList<AgreementCase> cases;
        bool isCollection;
        try
        {
            cases = AgreementCase.Parse(File.ReadAllText(file.FullName), out isCollection);
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
        catch (InvalidDataException e)
        {
            error.WriteLine($"error: {file}: {e.Message}");
            return 1;
        }

        var values = cases.Select(c => c.ComputeValues(bootstrap)).ToList();
        output.WriteLine(isCollection ? JsonSerializer.Serialize(values, Output) : JsonSerializer.Serialize(values[0], Output));
        return 0;
    }
}
