using System.Text.RegularExpressions;

namespace TraceViewer.Import.AlignmentFaking;

/// <summary>
/// Model and prompt variant are not stored in a results record, only in its path:
/// output dir / system-prompt name / model id (may contain '/') / results_[seedN_]YYYYmmdd_HHMMSS.json.
/// </summary>
internal static partial class HughesPath
{
    public sealed record Parts(string? PromptVariant, string? Model, int? Seed, string? RunStamp);

    /// <param name="relativePath">Path of the file relative to the import root, with '/' separators.</param>
    public static Parts Parse(string relativePath)
    {
        var segments = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var match = ResultsFile().Match(segments[^1]);
        var folders = segments[..^1];
        if (!match.Success)
        {
            // A renamed file (e.g. haiku-4-5_results.json): the folders may still name the variant; the model comes from the user.
            return new Parts(folders.Length > 0 ? folders[0] : null, null, null, null);
        }

        var seed = match.Groups["seed"].Success ? int.Parse(match.Groups["seed"].Value, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        return folders.Length switch
        {
            0 => new Parts(null, null, seed, match.Groups["stamp"].Value),
            1 => new Parts(null, folders[0], seed, match.Groups["stamp"].Value),
            _ => new Parts(folders[0], string.Join('/', folders[1..]), seed, match.Groups["stamp"].Value),
        };
    }

    [GeneratedRegex(@"^results_(?:seed(?<seed>\d+)_)?(?<stamp>\d{8}_\d{6})\.json$")]
    private static partial Regex ResultsFile();
}
