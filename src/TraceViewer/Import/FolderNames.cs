using System.Globalization;
using System.Text.RegularExpressions;

namespace TraceViewer.Import;

/// <summary>What the folders above an item say: model, sampling parameters and solution type (formats.md §a.1, §b.1).</summary>
internal sealed partial record FolderNames(
    string ModelFolder,
    string? TemperatureFolder,
    double? Temperature,
    double? TopP,
    string SolutionTypeFolder,
    string BaseType,
    bool ForcedAnswer,
    string? Variant)
{
    public const string Unknown = "unknown";

    private const string ForcedSuffix = "_forced_answer";

    /// <summary>The folders between the item and the import root (or the file-system root), outermost first.</summary>
    public static FolderNames Parse(IReadOnlyList<string> parents)
    {
        var solutionType = parents.Count > 0 ? parents[^1] : Unknown;
        string? temperatureFolder = null;
        double? temperature = null, topP = null;
        var modelIndex = parents.Count - 2;
        if (modelIndex >= 0 && TemperaturePattern().Match(parents[modelIndex]) is { Success: true } match
            && double.TryParse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture, out var t)
            && double.TryParse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture, out var p))
        {
            temperatureFolder = parents[modelIndex];
            (temperature, topP) = (t, p);
            modelIndex--;
        }

        var model = modelIndex >= 0 ? parents[modelIndex] : Unknown;
        var (baseType, forced, variant) = ParseSolutionType(solutionType);
        return new FolderNames(model, temperatureFolder, temperature, topP, solutionType, baseType, forced, variant);
    }

    /// <summary>Base type, forced-answer flag and variant label; an unknown suffix is a variant, not an error.</summary>
    public static (string BaseType, bool Forced, string? Variant) ParseSolutionType(string folder)
    {
        var match = SolutionTypePattern().Match(folder);
        if (!match.Success)
        {
            return (folder, false, null);
        }

        var rest = match.Groups[2].Value;
        var forced = rest.StartsWith(ForcedSuffix, StringComparison.Ordinal);
        if (forced)
        {
            rest = rest[ForcedSuffix.Length..];
        }

        var variant = rest.TrimStart('_');
        return (match.Groups[1].Value, forced, variant.Length > 0 ? variant : null);
    }

    /// <summary>The sibling folder that holds the forced-answer rollouts for this (non-forced) solution type.</summary>
    public string ForcedSiblingFolder => BaseType + ForcedSuffix + SolutionTypeFolder[BaseType.Length..];

    public string DatasetKey(string format) =>
        string.Join('/', new[] { format, ModelFolder, TemperatureFolder, SolutionTypeFolder }.Where(p => p is not null));

    [GeneratedRegex(@"^temperature_([0-9.eE+-]+)_top_p_([0-9.eE+-]+)$")]
    private static partial Regex TemperaturePattern();

    [GeneratedRegex(@"^((?:correct|incorrect|yes|no)_base_solution)(.*)$")]
    private static partial Regex SolutionTypePattern();
}
