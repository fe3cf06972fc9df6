using System.Globalization;
using TraceViewer.Traces;

namespace TraceViewer.Search;

/// <summary>
/// What to look for; every part is optional. <see cref="Dataset"/> is a dataset id or key. Direction, size and effect
/// need an outcome: they pick and order sentences by their effect on it.
/// </summary>
public sealed record SentenceSearchFilter(
    string? Dataset = null,
    string? Text = null,
    string? Tag = null,
    string? Outcome = null,
    Direction? Direction = null,
    double? MinImportance = null,
    EffectKind Effect = EffectKind.Counterfactual,
    int Page = 1)
{
    public const int PageSize = 50;

    /// <summary>Without a text, tag, outcome or dataset there is nothing to search for (the page says how to start).</summary>
    public bool HasCriteria => Text is not null || Tag is not null || Outcome is not null || Dataset is not null;

    /// <summary>The filter an address asks for, with the query parameters' names and values (unknown values are ignored).</summary>
    public static SentenceSearchFilter FromQuery(
        string? dataset, string? text, string? tag, string? outcome, string? direction, string? min, string? effect, string? page) =>
        new(
            Clean(dataset),
            Clean(text),
            Clean(tag),
            Clean(outcome),
            direction?.Trim().ToLowerInvariant() switch
            {
                "promotes" => Traces.Direction.Promotes,
                "suppresses" => Traces.Direction.Suppresses,
                _ => null,
            },
            double.TryParse(min, NumberStyles.Float, CultureInfo.InvariantCulture, out var size) && double.IsFinite(size) && size > 0 ? size : null,
            EffectKinds.Parse(effect),
            int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 ? number : 1);

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>
/// A sentence that matched, with the names of its tags (any taxonomy or annotator, each once); <see cref="Effect"/> is
/// null without an outcome or when none is stored.
/// </summary>
public sealed record SentenceHit(
    int TraceId, string TraceTitle, string DatasetName, int Index, string Text, IReadOnlyList<string> Tags, HitEffect? Effect);

/// <summary>
/// The sentence's effect as the trace page shows it (<see cref="EffectKinds.Shown"/>); <see cref="Value"/> is the
/// number in the effect column (signed, or the KL divergence, which has no sign), <see cref="Fallback"/> whether the
/// counterfactual effect fell back to the resampling effect, and where the numbers came from.
/// </summary>
public sealed record HitEffect(ShownEffect Shown, double? Value, bool Fallback, double? Threshold, string Source);

/// <summary>One page of hits and the filter it was read for.</summary>
public sealed record SearchListing(SentenceSearchFilter Filter, PagedResult<SentenceHit> Result);

public sealed record SearchDataset(int Id, string Key, string Name);

/// <summary>The filters' choices: datasets, outcomes that have per-sentence metrics, and the names of the tags sentences carry.</summary>
public sealed record SearchOptions(IReadOnlyList<SearchDataset> Datasets, IReadOnlyList<OutcomeRef> Outcomes, IReadOnlyList<string> Tags);

internal static class SearchLinks
{
    /// <summary>A hit's sentence, opened with the outcome and effect the search ranked it by.</summary>
    public static string Hit(SentenceHit hit, SentenceSearchFilter filter)
    {
        var path = TraceLinks.Sentence(hit.TraceId, hit.Index);
        if (filter.Outcome is null)
        {
            return path;
        }

        return $"{path}?outcome={Uri.EscapeDataString(filter.Outcome)}&effect={filter.Effect.QueryValue()}";
    }

    /// <summary>Imported tags are snake_case names (<c>plan_generation</c>); pages show them as words.</summary>
    public static string TagWords(string tag) => Tags.TagNames.Words(tag);
}
