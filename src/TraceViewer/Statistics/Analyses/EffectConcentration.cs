using System.Text.Json.Serialization;

namespace TraceViewer.Statistics.Analyses;

/// <summary>The share of a trace's total absolute effect carried by its <see cref="K"/> strongest sentences (null: undefined).</summary>
public sealed record TopShare(int K, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Share);

/// <summary>
/// How much of one outcome's effect a few sentences carry: over the <see cref="Sentences"/> sentences with an effect,
/// the share of the summed absolute effect (<see cref="TotalAbsoluteEffect"/>) carried by the top 1, 2 and 5 by absolute
/// effect. With fewer sentences than k, the top k are all of them (share 1). Undefined (null shares) when no sentence
/// has an effect or every effect is 0.
/// </summary>
public sealed record EffectConcentration(
    string Outcome,
    int Sentences,
    double TotalAbsoluteEffect,
    IReadOnlyList<TopShare> Top,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Undefined)
{
    public static readonly IReadOnlyList<int> Ks = [1, 2, 5];

    public const string NoSentences = "no_sentences";
    public const string AllZero = "all_zero";

    public double? ShareOf(int k) => Top.FirstOrDefault(t => t.K == k)?.Share;

    /// <summary>The concentration of <paramref name="effects"/> (non-finite values must already be left out).</summary>
    public static EffectConcentration Of(string outcome, IEnumerable<double> effects)
    {
        var strengths = effects.Select(Math.Abs).OrderByDescending(v => v).ToArray();
        var total = strengths.Sum();
        if (strengths.Length == 0 || total == 0)
        {
            return new EffectConcentration(outcome, strengths.Length, total, [.. Ks.Select(k => new TopShare(k, null))],
                strengths.Length == 0 ? NoSentences : AllZero);
        }

        return new EffectConcentration(outcome, strengths.Length, total,
            [.. Ks.Select(k => new TopShare(k, Math.Min(1, strengths.Take(k).Sum() / total)))], null);
    }

    public static string Explain(string? undefined) => undefined switch
    {
        NoSentences => "no sentence has an effect",
        AllZero => "every sentence's effect is 0",
        _ => "",
    };
}
