using System.Text.Json;
using TraceViewer.Metrics.Engine;

namespace TraceViewer.MetricSets;

/// <summary>The engine parameters stored with a computed set (<see cref="MetricSet.Parameters"/>) besides threshold and alpha.</summary>
internal static class MetricsParametersJson
{
    private sealed record Stored(string? Mode, string? ResamplingNext, bool? UseSimilarInNext, double? MinimumDissimilarFraction);

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(MetricsParameters p) => JsonSerializer.Serialize(
        new Stored(p.Mode.ToString(), p.ResamplingNext.ToString(), p.UseSimilarInNext, p.MinimumDissimilarFraction), Options);

    /// <summary>Rebuilds the parameters of a stored set; anything missing or unreadable keeps TraceViewer's default.</summary>
    public static MetricsParameters Parse(string? json, double? threshold, double? alpha)
    {
        var defaults = MetricsParameters.TraceViewerDefaults;
        Stored? stored = null;
        try
        {
            stored = string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<Stored>(json, Options);
        }
        catch (JsonException)
        {
        }

        return defaults with
        {
            Threshold = threshold ?? defaults.Threshold,
            Alpha = alpha ?? defaults.Alpha,
            Mode = Enum.TryParse<MetricsMode>(stored?.Mode, out var mode) ? mode : defaults.Mode,
            ResamplingNext = Enum.TryParse<NextPositionRule>(stored?.ResamplingNext, out var next) ? next : defaults.ResamplingNext,
            UseSimilarInNext = stored?.UseSimilarInNext ?? defaults.UseSimilarInNext,
            MinimumDissimilarFraction = stored?.MinimumDissimilarFraction ?? defaults.MinimumDissimilarFraction,
        };
    }
}
