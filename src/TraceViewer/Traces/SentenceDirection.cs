using System.Text.Json.Serialization;

namespace TraceViewer.Traces;

/// <summary>Which way a sentence moves an outcome's rate (method.md §5): orange promotes, purple suppresses.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Direction>))]
public enum Direction
{
    [JsonStringEnumMemberName("none")]
    None,

    [JsonStringEnumMemberName("promotes")]
    Promotes,

    [JsonStringEnumMemberName("suppresses")]
    Suppresses,
}

/// <summary>The direction and importance of one sentence for one outcome, and whether they came from the fallback.</summary>
internal readonly record struct SentenceInfluence(Direction Direction, double Importance, bool Fallback, double? Effect);

internal static class SentenceDirection
{
    /// <summary>At or below this share of dissimilar resamples the counterfactual effect is not defined.</summary>
    public const double MinDissimilarFraction = 0.05;

    /// <summary>
    /// Uses the counterfactual effect; falls back to the resampling effect when the counterfactual is missing
    /// or rests on too few dissimilar resamples. Both effects are in TraceViewer's sign.
    /// </summary>
    public static SentenceInfluence Of(double? counterfactualEffect, double? resamplingEffect, double? dissimilarFraction)
    {
        var counterfactualDefined = counterfactualEffect is { } c && double.IsFinite(c)
            && dissimilarFraction is not (<= MinDissimilarFraction);
        var effect = counterfactualDefined ? counterfactualEffect : resamplingEffect;
        if (effect is not { } value || !double.IsFinite(value))
        {
            return new SentenceInfluence(Direction.None, 0, Fallback: false, Effect: null);
        }

        var direction = value > 0 ? Direction.Promotes : value < 0 ? Direction.Suppresses : Direction.None;
        return new SentenceInfluence(direction, Math.Abs(value), Fallback: !counterfactualDefined, value);
    }

    public static string CssName(this Direction direction) => direction switch
    {
        Direction.Promotes => "promotes",
        Direction.Suppresses => "suppresses",
        _ => "none",
    };
}
