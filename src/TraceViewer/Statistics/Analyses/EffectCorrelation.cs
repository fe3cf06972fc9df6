using System.Text.Json.Serialization;

namespace TraceViewer.Statistics.Analyses;

/// <summary>One sentence's effects on the two outcomes of an alignment-faking study (TraceViewer's sign).</summary>
public sealed record EffectPair(int Index, double AlignmentFaking, double Compliance);

/// <summary>Why a correlation is not defined.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CorrelationUndefined>))]
public enum CorrelationUndefined
{
    /// <summary>Fewer than <see cref="EffectCorrelation.MinPairs"/> sentences have both effects.</summary>
    [JsonStringEnumMemberName("too_few_sentences")]
    TooFewSentences,

    /// <summary>Every sentence has the same alignment-faking effect.</summary>
    [JsonStringEnumMemberName("alignment_faking_constant")]
    AlignmentFakingConstant,

    /// <summary>Every sentence has the same compliance effect.</summary>
    [JsonStringEnumMemberName("compliance_constant")]
    ComplianceConstant,

    /// <summary>Both effects are the same for every sentence.</summary>
    [JsonStringEnumMemberName("both_constant")]
    BothConstant,
}

/// <summary>
/// How a trace's alignment-faking effects go with its compliance effects, sentence by sentence: Pearson's r over the
/// effects, Spearman's rho over their ranks (ties share their mean rank), over <see cref="N"/> sentences that have both.
/// Both are null, with <see cref="Undefined"/> saying why, when there are fewer than three sentences or an outcome's
/// effects do not vary.
/// </summary>
public sealed record EffectCorrelation(
    int N,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Pearson,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Spearman,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CorrelationUndefined? Undefined)
{
    public const int MinPairs = 3;

    public static EffectCorrelation Of(IReadOnlyList<EffectPair> pairs)
    {
        var n = pairs.Count;
        if (n < MinPairs)
        {
            return new EffectCorrelation(n, null, null, CorrelationUndefined.TooFewSentences);
        }

        var af = pairs.Select(p => p.AlignmentFaking).ToArray();
        var compliance = pairs.Select(p => p.Compliance).ToArray();
        var afConstant = af.All(v => v == af[0]);
        var complianceConstant = compliance.All(v => v == compliance[0]);
        if (afConstant || complianceConstant)
        {
            var why = afConstant && complianceConstant ? CorrelationUndefined.BothConstant
                : afConstant ? CorrelationUndefined.AlignmentFakingConstant
                : CorrelationUndefined.ComplianceConstant;
            return new EffectCorrelation(n, null, null, why);
        }

        return new EffectCorrelation(n, PearsonR(af, compliance), PearsonR(Ranks(af), Ranks(compliance)), null);
    }

    /// <summary>A short phrase for the page: why there is no number.</summary>
    public static string Explain(CorrelationUndefined why) => why switch
    {
        CorrelationUndefined.TooFewSentences => $"fewer than {MinPairs} sentences have both effects",
        CorrelationUndefined.AlignmentFakingConstant => "every sentence has the same alignment-faking effect",
        CorrelationUndefined.ComplianceConstant => "every sentence has the same compliance effect",
        _ => "every sentence has the same effects",
    };

    /// <summary>Pearson's r of two equally long samples that both vary, clipped to [-1, 1] against rounding.</summary>
    internal static double PearsonR(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double meanX = x.Average(), meanY = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Count; i++)
        {
            var dx = x[i] - meanX;
            var dy = y[i] - meanY;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }

        return Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }

    /// <summary>1-based ranks; tied values share the mean of the ranks they span.</summary>
    internal static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
            {
                end++;
            }

            var rank = (start + end) / 2.0 + 1;
            for (var j = start; j <= end; j++)
            {
                ranks[order[j]] = rank;
            }

            start = end + 1;
        }

        return ranks;
    }
}
