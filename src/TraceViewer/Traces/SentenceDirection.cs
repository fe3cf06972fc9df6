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

/// <summary>
/// The direction and importance of one sentence for one outcome, and whether they came from the fallback; the rule is
/// <see cref="MetricSets.ShownMetricSets.Influence"/>.
/// </summary>
internal readonly record struct SentenceInfluence(Direction Direction, double Importance, bool Fallback, double? Effect);

internal static class SentenceDirection
{
    public static string CssName(this Direction direction) => direction switch
    {
        Direction.Promotes => "promotes",
        Direction.Suppresses => "suppresses",
        _ => "none",
    };
}
