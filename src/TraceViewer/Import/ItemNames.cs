using System.Text.Json;
using TraceViewer.Outcomes;

namespace TraceViewer.Import;

/// <summary>
/// What the folders above a Thought Anchors item give its trace: the dataset (format, model, sampling and solution
/// type) and the trace's model, sampling parameters and variant (formats.md §0.1: an item is identified by format,
/// model folder, solution-type folder and item folder). An item uploaded on its own has no folders above it: its
/// solution type then comes from its base solution, and its model stays unnamed until a later import names it.
/// </summary>
internal static class ItemNames
{
    public static bool IsFolderFormat(string format) => ImportFormats.IsItemFolderFormat(format);

    /// <summary>Whether a dataset key (from <see cref="FolderNames.DatasetKey"/>) has no model folder.</summary>
    public static bool IsUnnamed(string datasetKey) => FromDatasetKey(datasetKey)?.Folders.ModelFolder == FolderNames.Unknown;

    /// <summary>The format and folders a dataset key was made from; folder names hold no '/', so the key splits back exactly.</summary>
    public static (string Format, FolderNames Folders)? FromDatasetKey(string key)
    {
        var parts = key.Split('/');
        return parts.Length >= 3 && IsFolderFormat(parts[0]) ? (parts[0], FolderNames.Parse(parts[1..])) : null;
    }

    /// <summary>The solution-type folder the base solution's own outcome implies (formats.md §c), for an item without one.</summary>
    public static FolderNames WithSolutionTypeFrom(FolderNames folders, string outcome, bool? basePositive)
    {
        if (folders.SolutionTypeFolder != FolderNames.Unknown || basePositive is not { } positive)
        {
            return folders;
        }

        var type = outcome == OutcomeRegistry.IsCorrect
            ? (positive ? "correct_base_solution" : "incorrect_base_solution")
            : (positive ? "yes_base_solution" : "no_base_solution");
        return FolderNames.Parse([folders.ModelFolder, type]);
    }

    public static ImportedDataset Dataset(FolderNames folders, string format, Datasets.DatasetKind kind, string description, string outcome) => new(
        folders.DatasetKey(format),
        folders.ModelFolder == FolderNames.Unknown
            ? (folders.SolutionTypeFolder == FolderNames.Unknown ? "model and solution type not named" : $"{folders.SolutionTypeFolder}, model not named")
            : $"{folders.ModelFolder} / {folders.SolutionTypeFolder}",
        folders.ModelFolder,
        kind,
        format,
        description,
        outcome,
        Metadata(folders));

    /// <summary>The trace as it reads under other folder names: the same content in another dataset.</summary>
    public static ImportedTrace Apply(ImportedTrace trace, FolderNames folders) => trace with
    {
        Dataset = Dataset(folders, trace.Dataset.SourceFormat, trace.Dataset.Kind, trace.Dataset.Description ?? "", trace.Dataset.PrimaryOutcome!),
        Model = folders.ModelFolder,
        Temperature = folders.Temperature,
        TopP = folders.TopP,
        PromptVariant = folders.Variant,
    };

    private static string? Metadata(FolderNames folders)
    {
        var properties = new List<KeyValuePair<string, JsonElement>>
        {
            new("modelFolder", SourceJson.ToElement(folders.ModelFolder)),
            new("solutionType", SourceJson.ToElement(folders.SolutionTypeFolder)),
            new("baseType", SourceJson.ToElement(folders.BaseType)),
        };
        if (folders.TemperatureFolder is not null)
        {
            properties.Add(new("temperature", SourceJson.ToElement(folders.Temperature!.Value)));
            properties.Add(new("topP", SourceJson.ToElement(folders.TopP!.Value)));
        }

        if (folders.Variant is not null)
        {
            properties.Add(new("variant", SourceJson.ToElement(folders.Variant)));
        }

        return SourceJson.CompactObject(properties);
    }
}
