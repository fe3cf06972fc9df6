using TraceViewer.Collect;
using TraceViewer.Text;

namespace TraceViewer.Jobs;

/// <summary>
/// The limits a collect request must keep, as messages naming the field; POST /api/jobs and the collect form both check
/// them here. Prompt variants, pasted or uploaded, are read by <see cref="PromptText"/>.
/// </summary>
internal static class CollectRules
{
    public const int MaxDatasetName = 200;

    public static string? DatasetName(string? name) =>
        name is { Length: > MaxDatasetName } ? $"The dataset name is longer than {MaxDatasetName} characters." : null;

    /// <summary>Number of AdvBench requests, out of <paramref name="rows"/>.</summary>
    public static string? N(int? n, int rows) => n is not { } value || value < 1 || value > rows ? $"n (AdvBench requests) must be between 1 and {rows}." : null;

    public static string? Tiers(IReadOnlyList<string> tiers) =>
        tiers.Count == 0 || tiers.Any(t => t is not (TierParser.Free or TierParser.Paid)) || tiers.Distinct().Count() != tiers.Count
            ? $"tiers must list {TierParser.Free} and/or {TierParser.Paid}, each once; got {string.Join(", ", tiers)}."
            : null;

    public static string? Variants(IReadOnlyDictionary<string, string> variants) =>
        variants.Count == 0 || variants.Any(v => string.IsNullOrWhiteSpace(v.Key) || string.IsNullOrWhiteSpace(v.Value))
            ? "variants maps each prompt variant's name to its system prompt text; names and texts must not be empty."
            : null;

    public static string? SamplesPerQuery(int? samples) =>
        samples is < 1 or > CollectSettings.MaxSamplesPerQuery ? $"samplesPerQuery must be between 1 and {CollectSettings.MaxSamplesPerQuery}." : null;

    /// <summary>
    /// A prompt variant's system prompt as sent to the model: the leading <c>#|</c> note lines dropped
    /// (<see cref="SystemPromptFile.Strip"/>), whether the text was pasted, uploaded or given in the API request.
    /// </summary>
    public static string PromptText(string text) => SystemPromptFile.Strip(text);

    /// <summary>The variants with their texts read by <see cref="PromptText"/> and names trimmed.</summary>
    /// <remarks>Two names equal once trimmed keep the first: the result is then shorter than the request.</remarks>
    public static Dictionary<string, string> PromptTexts(IReadOnlyDictionary<string, string> variants)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, text) in variants)
        {
            texts.TryAdd((name ?? "").Trim(), PromptText(text ?? ""));
        }

        return texts;
    }
}
