using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace TraceViewer.Statistics.Analyses;

/// <summary>One analysed trace of a study and its condition (prompt variant and tier).</summary>
public sealed record AnalysedTrace(int TraceId, string Title, string Variant, string Tier, TraceAnalysis Analysis);

/// <summary>One trace as a point of a study's distributions: its concentration per outcome and its correlation.</summary>
public sealed record TracePoint(
    int TraceId,
    string Title,
    IReadOnlyList<EffectConcentration> Concentration,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] EffectCorrelation? Correlation);

/// <summary>The traces of one condition with their analyses, and the medians over the traces where a value is defined.</summary>
public sealed record ConditionAnalysis(
    string Variant,
    string Tier,
    IReadOnlyList<TracePoint> Traces,
    IReadOnlyList<ConcentrationMedian> MedianConcentration,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? MedianPearson,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? MedianSpearman,
    int CorrelationsDefined);

/// <summary>The median top-k share of one outcome over the condition's traces where it is defined (<see cref="Traces"/> of them).</summary>
public sealed record ConcentrationMedian(string Outcome, int K, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Median, int Traces);

/// <summary>A rate over traces with its Wilson 95% interval; null rate when none is determined.</summary>
public sealed record PairedRate(
    int Positives,
    int Determined,
    int Undetermined,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Rate,
    double Low,
    double High)
{
    public static PairedRate Of(IEnumerable<bool?> labels)
    {
        int positives = 0, determined = 0, undetermined = 0;
        foreach (var label in labels)
        {
            if (label is { } value)
            {
                determined++;
                positives += value ? 1 : 0;
            }
            else
            {
                undetermined++;
            }
        }

        var interval = Wilson.Interval(positives, determined);
        return new PairedRate(positives, determined, undetermined, determined == 0 ? null : (double)positives / determined, interval.Low, interval.High);
    }
}

/// <summary>A base trace of a study with the query it answers and its labels (null: undetermined).</summary>
public sealed record QueryObservation(int TraceId, string Variant, string Tier, string Query, bool? Compliant, bool? AlignmentFaking);

/// <summary>The traces of one query in one tier: their ids (the first opens from the cell) and their rates.</summary>
public sealed record PairedCell(IReadOnlyList<int> TraceIds, PairedRate Compliance, PairedRate AlignmentFaking);

/// <summary>The same query of one prompt variant in the free and the paid tier (a side is null when the query has no trace there).</summary>
public sealed record PairedQuery(
    string Variant,
    string Query,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] PairedCell? Free,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] PairedCell? Paid);

/// <summary>The study-level views of the post's analyses: their distribution over traces per condition, and the free/paid pairs per query.</summary>
public static partial class StudyAnalysis
{
    public const string Free = "free";
    public const string Paid = "paid";

    /// <summary>The traces per condition in the order given, conditions by variant, then free, paid, other tiers.</summary>
    public static IReadOnlyList<ConditionAnalysis> Distribute(IEnumerable<AnalysedTrace> traces, IReadOnlyList<string> outcomes) =>
    [
        .. traces
            .GroupBy(t => (t.Variant, t.Tier))
            .OrderBy(g => g.Key.Variant, StringComparer.Ordinal)
            .ThenBy(g => TierOrder(g.Key.Tier))
            .ThenBy(g => g.Key.Tier, StringComparer.Ordinal)
            .Select(g =>
            {
                var points = g.Select(t => new TracePoint(t.TraceId, t.Title, t.Analysis.Concentration, t.Analysis.Correlation)).ToList();
                var medians = outcomes.SelectMany(o => EffectConcentration.Ks.Select(k =>
                {
                    var shares = points.Select(p => p.Concentration.FirstOrDefault(c => c.Outcome == o)?.ShareOf(k))
                        .OfType<double>().ToList();
                    return new ConcentrationMedian(o, k, Median(shares), shares.Count);
                })).ToList();
                var pearson = points.Select(p => p.Correlation?.Pearson).OfType<double>().ToList();
                var spearman = points.Select(p => p.Correlation?.Spearman).OfType<double>().ToList();
                return new ConditionAnalysis(g.Key.Variant, g.Key.Tier, points, medians, Median(pearson), Median(spearman), pearson.Count);
            }),
    ];

    /// <summary>
    /// Pairs each query of a prompt variant across the free and paid tiers; queries seen in only one tier keep an empty
    /// side. Ordered by variant, then by query text.
    /// </summary>
    public static IReadOnlyList<PairedQuery> Pair(IEnumerable<QueryObservation> observations) =>
    [
        .. observations
            .Where(o => o.Tier is Free or Paid)
            .GroupBy(o => (o.Variant, o.Query))
            .OrderBy(g => g.Key.Variant, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Query, StringComparer.Ordinal)
            .Select(g => new PairedQuery(g.Key.Variant, g.Key.Query, Cell(g.Where(o => o.Tier == Free)), Cell(g.Where(o => o.Tier == Paid)))),
    ];

    /// <summary>
    /// The query a trace answers, the same in both tiers: the text inside <c>&lt;user_input&gt;</c> when the user turn
    /// has one, else the user turn without its <c>&lt;is_free_tier_user&gt;</c> tag; whitespace runs become one space.
    /// </summary>
    public static string QueryOf(string? userPrompt)
    {
        var text = userPrompt ?? "";
        var input = UserInput().Match(text);
        text = input.Success ? input.Groups[1].Value : TierTag().Replace(text, " ");
        return Whitespace().Replace(text, " ").Trim();
    }

    /// <summary>The median of the values (mean of the middle two for an even count); null when there are none.</summary>
    public static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static PairedCell? Cell(IEnumerable<QueryObservation> observations)
    {
        var list = observations.OrderBy(o => o.TraceId).ToList();
        return list.Count == 0
            ? null
            : new PairedCell([.. list.Select(o => o.TraceId)], PairedRate.Of(list.Select(o => o.Compliant)), PairedRate.Of(list.Select(o => o.AlignmentFaking)));
    }

    private static int TierOrder(string tier) => tier switch
    {
        Free => 0,
        Paid => 1,
        _ => 2,
    };

    [GeneratedRegex(@"<user_input>(.*?)</user_input>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex UserInput();

    [GeneratedRegex(@"<is_free_tier_user>.*?</is_free_tier_user>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex TierTag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
