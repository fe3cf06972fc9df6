using System.Text.Json.Serialization;
using TraceViewer.Tags;

namespace TraceViewer.Traces;

// Records handed to Razor components as parameters are public: component parameters must be.

public sealed record OutcomeRef(string Key, string Name);

public sealed record DatasetRow(
    int Id, string Key, string Name, string Model, Datasets.DatasetKind Kind, string SourceFormat, int TraceCount, IReadOnlyList<OutcomeRef> Outcomes);

public enum TraceSort
{
    Importance,
    Title,
    Newest,

    /// <summary>Most relevant to the searched words first; the default when there are words and no sort is named (docs/decisions/0062).</summary>
    Relevance,
}

/// <summary>Filters of the trace list; <see cref="Dataset"/> is a dataset id or key.</summary>
public sealed record TraceFilter(
    string? Dataset = null,
    string? Model = null,
    string? Outcome = null,
    bool? Positive = null,
    string? Q = null,
    TraceSort Sort = TraceSort.Importance,
    int Page = 1,
    int PageSize = TraceFilter.DefaultPageSize,
    string? Tier = null,
    string? Variant = null)
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 200;
}

/// <summary>What the trace list's filters offer; tiers and prompt variants as stored (a trace without a variant is under "default").</summary>
public sealed record TraceFilterOptions(
    IReadOnlyList<DatasetRow> Datasets, IReadOnlyList<string> Models, IReadOnlyList<OutcomeRef> Outcomes,
    IReadOnlyList<string>? Tiers = null, IReadOnlyList<string>? Variants = null);

/// <summary>One page of the trace list and the filter it was read for.</summary>
public sealed record TraceListing(TraceFilter Filter, PagedResult<TraceRow> Result);

/// <summary>
/// One page of a list. With <paramref name="TotalIsLowerBound"/> counting stopped at <paramref name="Total"/> and there are
/// more (shown as "1,000+"); the page count then reaches one page past the count, so "Next" leads on (docs/decisions/0045).
/// </summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total, bool TotalIsLowerBound = false)
{
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize + (TotalIsLowerBound ? 1 : 0);
}

/// <summary>The base response's value for one outcome.</summary>
public sealed record BaseLabel(string Outcome, string OutcomeName, string? Value, bool? IsPositive);

public sealed record TraceRow(
    int Id,
    string Title,
    int DatasetId,
    string DatasetName,
    string Model,
    string? Tier,
    string? PromptVariant,
    int SentenceCount,
    int ResampleCount,
    double? MaxImportance,
    DateTimeOffset ImportedAt,
    IReadOnlyList<BaseLabel> Labels);

/// <summary>
/// The trace's dataset. <paramref name="HasStudy"/>: an alignment-faking study with more than one group (tier and prompt
/// variant) of traces, so its study page has something to compare.
/// </summary>
public sealed record DatasetRef(int Id, string Key, string Name, Datasets.DatasetKind Kind, string? PrimaryOutcome, bool HasStudy = false);

/// <param name="Tags">Every tag on the sentence (any taxonomy, any annotator), in the order they were put on.</param>
public sealed record SentenceView(int Index, string Text, string Separator, int Start, int End, IReadOnlyList<SentenceTagView> Tags, string? Summary);

/// <summary>A stored number with its 95% interval and the counts behind it, when known (unknown ones are left out of the JSON).</summary>
public sealed record Estimate(
    double Value,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Low,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? High,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Count,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Successes);

/// <summary>rate_i: the outcome rate of resamples drawn with sentence i removed (prefix 0..i-1).</summary>
public sealed record PrefixRate(
    int Index,
    double Value,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Low,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? High,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Count,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Successes);

/// <summary>Stored per-sentence effects (TraceViewer's sign) and the direction derived from them; values not stored are left out of the JSON.</summary>
public sealed record SentenceEffects(
    int Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Estimate? ResamplingEffect,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Estimate? CounterfactualEffect,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ResamplingKl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? CounterfactualKl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DissimilarFraction,
    Direction Direction,
    double Importance,
    bool Fallback);

/// <summary>
/// Where a set of metrics came from, so a number on screen can be explained. <paramref name="OnTheFly"/>: computed
/// for this page from the stored resamples at a threshold no stored set has, and not stored.
/// </summary>
public sealed record MetricsProvenance(
    string Source, string? SourceFile, double? Threshold, string? EmbeddingModel, double? Alpha, int ResampleCount, DateTimeOffset ComputedAt,
    bool OnTheFly = false, string? Mode = null)
{
    public bool IsLexical => EmbeddingModel?.StartsWith("lexical:", StringComparison.Ordinal) == true;

    /// <summary>Of <see cref="ResampleCount"/>, the imported resamples and those generated by jobs; null when the set did not record it.</summary>
    public int? ImportedResamples { get; init; }

    public int? GeneratedResamples { get; init; }

    /// <summary>Why this set is shown rather than the other source's, when both exist (docs/decisions/0032).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }
}

/// <summary>
/// One outcome's metrics as shown, and, when the shown set is computed and an imported set exists too,
/// the imported set for comparison.
/// </summary>
public sealed record OutcomeMetrics(
    string Key,
    string Name,
    BaseLabel? BaseLabel,
    MetricsProvenance? Provenance,
    IReadOnlyList<PrefixRate> PrefixRates,
    IReadOnlyList<SentenceEffects> Effects,
    OutcomeMetrics? Imported = null)
{
    /// <summary>
    /// The resamples labelled on this outcome that the shown numbers rest on: those a computed set used, or the source's
    /// rollouts behind imported values. The page states it beside the trace's total in the header and the metrics panel.
    /// </summary>
    public int LabelledResamples { get; init; }

    /// <summary>Computed against imported values of one sentence; empty when there is nothing to compare.</summary>
    public IReadOnlyList<MetricComparisonRow> CompareAt(int index) =>
        Imported is null ? [] : MetricComparison.Compare(this, Imported, index);

    public bool DiffersAt(int index) => CompareAt(index).Any(r => r.Differs);

    public SentenceEffects? EffectsAt(int index) => index >= 0 && index < Effects.Count && Effects[index].Index == index
        ? Effects[index]
        : Effects.FirstOrDefault(e => e.Index == index);

    public PrefixRate? RateAt(int index) => PrefixRates.FirstOrDefault(r => r.Index == index);
}

/// <summary>
/// One trace as the trace page and <c>GET /api/traces/{id}</c> show it. <paramref name="HasLabelledResamples"/>: its
/// resamples carry outcome labels, so metrics can be computed from them at another threshold; <paramref name="StoredThresholds"/>:
/// the thresholds of its stored metric sets; <paramref name="Facts"/>: what the source says of the problem and the base answer.
/// </summary>
public sealed record TraceDocument(
    int Id,
    string Title,
    DatasetRef Dataset,
    string Model,
    string? Tier,
    string? PromptVariant,
    string Prompt,
    string Reasoning,
    string? FinalOutput,
    string? SourcePath,
    string SourceFormat,
    int ResampleCount,
    IReadOnlyList<SentenceView> Sentences,
    IReadOnlyList<OutcomeMetrics> Outcomes,
    bool HasLabelledResamples = false,
    IReadOnlyList<double>? StoredThresholds = null,
    TraceFacts? Facts = null)
{
    /// <summary>The dataset's primary outcome when it has metrics here, else the first one.</summary>
    public OutcomeMetrics? PrimaryOutcome(string? preferredKey) =>
        Outcomes.FirstOrDefault(o => o.Key == preferredKey) ?? (Outcomes.Count > 0 ? Outcomes[0] : null);
}

/// <summary>
/// Resamples at one position that begin with the same sentence: how many, whether that sentence is the original one
/// (<see cref="Resampling.ResampleText.Identical"/>), how their outcomes came out, and how similar the sentence is to
/// the original under <see cref="SentenceResamples.SimilarityModel"/> when that was at hand.
/// </summary>
public sealed record Alternative(string Text, int Count, bool Identical = false, IReadOnlyList<AlternativeOutcome>? Outcomes = null, double? Similarity = null)
{
    /// <summary>Of <see cref="Count"/>, the resamples generated by jobs here; the rest were imported.</summary>
    public int Generated { get; init; }

    public int Imported => Count - Generated;
}

/// <summary>Labels of one outcome among a group of resamples; the rest of the group has no label for it.</summary>
public sealed record AlternativeOutcome(string Key, string Name, int Positive, int Negative, int Undetermined)
{
    public int Labelled => Positive + Negative + Undetermined;
}

/// <summary>One imported sentence-to-sentence score: how much <see cref="Source"/> drives the later <see cref="Target"/>.</summary>
public sealed record SentenceLinkView(string Kind, int Source, int Target, double Score);

/// <summary>
/// What the detail of one sentence needs beyond the trace document: its resamples and its links, and the embedding
/// model the alternatives' similarities were measured with (null when none was asked for or at hand).
/// </summary>
public sealed record SentenceResamples(
    int TraceId, int Index, int Count, IReadOnlyList<Alternative> Alternatives, IReadOnlyList<SentenceLinkView> Links, string? SimilarityModel = null);

public sealed record SentenceOutcomeDetail(
    string Key, string Name, PrefixRate? Before, PrefixRate? After, SentenceEffects? Effects, MetricsProvenance? Provenance,
    IReadOnlyList<MetricComparisonRow>? Comparison = null, MetricsProvenance? ImportedProvenance = null);

public sealed record SentenceDetailView(
    int TraceId,
    int Index,
    string Text,
    IReadOnlyList<SentenceTagView> Tags,
    string? Summary,
    IReadOnlyList<SentenceOutcomeDetail> Outcomes,
    int ResampleCount,
    IReadOnlyList<Alternative> Alternatives,
    IReadOnlyList<SentenceLinkView>? Links = null)
{
    public string Link => TraceLinks.Sentence(TraceId, Index);
}

internal static class TraceLinks
{
    public static string Trace(int id) => $"/traces/{id}";

    public static string Sentence(int id, int index) => $"/traces/{id}/sentences/{index}";

    /// <summary>A trace or sentence address with the view's query: outcome, effect (when not the default) and threshold.</summary>
    public static string WithView(string path, string? outcome, EffectKind effect, double? threshold)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(outcome))
        {
            query.Add("outcome=" + Uri.EscapeDataString(outcome));
        }

        if (effect != EffectKind.Counterfactual)
        {
            query.Add("effect=" + effect.QueryValue());
        }

        if (threshold is { } t)
        {
            query.Add("threshold=" + MetricFormat.Exact(t));
        }

        return query.Count == 0 ? path : path + "?" + string.Join("&", query);
    }

    public static bool TryParseThreshold(string? text, out double threshold) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out threshold)
        && threshold is >= 0 and <= 1;
}

/// <summary>
/// The trace page's document with the threshold it was read at, kept across prerendering and the circuit. The page
/// shows the reasoning as its sentences, so the reasoning text itself is left out (it would be carried twice).
/// </summary>
public sealed record TraceState(double? Threshold, TraceDocument Document)
{
    /// <summary>The resample source the numbers rest on (<see cref="TraceAddress.Resamples"/>).</summary>
    public ResampleChoice? Resamples { get; init; }

    public static TraceState For(double? threshold, TraceDocument document, ResampleChoice? resamples = null) =>
        new(threshold, document with { Reasoning = "" }) { Resamples = resamples };
}
