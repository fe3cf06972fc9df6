using System.Text.Json.Serialization;

namespace TraceViewer.Kinds;

/// <summary>
/// What the "which kinds of sentences matter" page and <c>GET /api/kinds</c> were asked for, as read from the query
/// string. Empty values take the defaults (the readable dataset with the most traces, ties by name; the first outcome with metrics, the function taxonomy,
/// everyone's tags, the counterfactual effect, k = 3).
/// </summary>
public sealed record KindsRequest(
    IReadOnlyList<string> Datasets,
    string? Outcome = null,
    string? Effect = null,
    string? Taxonomy = null,
    string? Layer = null,
    int? TopK = null);

/// <summary>The selection the numbers were computed for, every default filled in.</summary>
/// <param name="DefaultDataset">
/// No dataset was named (or none known), so the readable dataset with the most traces is taken (ties by name); links
/// leave it out, so they follow that rule.
/// </param>
public sealed record KindsSelection(
    IReadOnlyList<int> Datasets,
    bool DefaultDataset,
    string? Outcome,
    string Effect,
    string? Taxonomy,
    string Layer,
    int TopK);

public sealed record KindsDataset(int Id, string Key, string Name);

public sealed record KindsOutcome(string Key, string Name);

/// <param name="Value">"everyone", "consensus" or an annotator as "Kind:id" (e.g. "Import:thought-anchors").</param>
public sealed record KindsLayer(string Value, string Label);

/// <summary>What the page offers to choose from.</summary>
public sealed record KindsOptions(
    IReadOnlyList<KindsDataset> Datasets,
    IReadOnlyList<KindsOutcome> Outcomes,
    IReadOnlyList<string> Taxonomies,
    IReadOnlyList<KindsLayer> Layers);

/// <summary>A statistic (null when undefined, e.g. a mean over no sentences) with its 95% percentile bootstrap interval over traces.</summary>
public sealed record KindsNumber(double? Value, double? Low, double? High)
{
    /// <summary>The interval lies on one side of zero.</summary>
    [JsonIgnore]
    public bool ExcludesZero => Low is { } low && High is { } high && (low > 0 || high < 0);
}

/// <summary>
/// A group of sentences: those carrying a tag or the annotated ones without it. The shares are means over traces of
/// the fraction of each trace's top-k sentences by absolute effect (<paramref name="TopKShare"/>), and of all its
/// annotated sentences (<paramref name="Share"/>), that are in the group.
/// </summary>
public sealed record KindsGroup(int Sentences, int Traces, KindsNumber MeanSigned, KindsNumber MeanAbsolute, KindsNumber TopKShare, KindsNumber Share);

/// <summary>One tag: its sentences, the annotated sentences without it, and the differences tagged minus untagged.</summary>
public sealed record KindsRow(
    string Tag,
    string Colour,
    KindsGroup Tagged,
    KindsGroup Untagged,
    KindsNumber SignedDifference,
    KindsNumber AbsoluteDifference);

/// <summary>Where the numbers come from, so each can be explained.</summary>
/// <param name="Traces">Traces with at least one annotated sentence with a metric (the bootstrap's units).</param>
/// <param name="Sentences">Annotated sentences with a metric: the tagged and untagged sentences together.</param>
/// <param name="TracesWithMetrics">Traces of the datasets with a metric set for the outcome.</param>
/// <param name="SentencesWithMetrics">Their sentences with a number for the effect.</param>
/// <param name="MetricSets">The shown metric sets by source ("computed", "imported"): how many traces use which.</param>
public sealed record KindsBasis(
    int Traces,
    int Sentences,
    int TracesWithMetrics,
    int SentencesWithMetrics,
    IReadOnlyDictionary<string, int> MetricSets,
    int Replicates,
    ulong Seed,
    double Confidence,
    string Method);

/// <summary>
/// The page and API result. <paramref name="Empty"/> says, in words, why there are no numbers when there are none
/// (no metrics, no tags, nothing annotated in the selection); then <paramref name="Rows"/> is empty.
/// </summary>
public sealed record KindsView(
    KindsSelection Selection,
    KindsOptions Options,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] KindsBasis? Basis,
    IReadOnlyList<KindsRow> Rows,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Empty)
{
    public KindsRow? Find(string tag) => Rows.FirstOrDefault(r => string.Equals(r.Tag, tag, StringComparison.Ordinal));
}

/// <summary>One sentence carrying a tag, with its effect, linking to it on its trace.</summary>
public sealed record KindsSentence(int TraceId, string TraceTitle, int Index, string Text, double Effect, bool TopK)
{
    public string Href => $"/traces/{TraceId}/sentences/{Index}";
}

/// <summary>The sentences that carry <paramref name="Tag"/> under the selection, strongest first, at most <paramref name="Limit"/>.</summary>
public sealed record KindsSentences(string Tag, int Total, int Limit, IReadOnlyList<KindsSentence> Sentences);
