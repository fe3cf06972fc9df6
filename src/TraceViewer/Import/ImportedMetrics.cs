using TraceViewer.MetricSets;
using TraceViewer.Statistics;

namespace TraceViewer.Import;

/// <summary>Maps stored metric keys to TraceViewer's canonical names and signs (formats.md §0.3, method.md §5).</summary>
internal static class ImportedMetrics
{
    /// <summary>The forced-answer rate per prefix (formats.md §a.7), kept beside the prefix rate.</summary>
    public const string ForcedRate = "forced_rate";

    /// <summary>Metrics that are shares of resamples, so lie in [0, 1].</summary>
    public static bool IsFraction(string name) => name is MetricNames.PrefixRate or ForcedRate or MetricNames.DissimilarFraction;

    public static (string Name, bool Negated) Canonical(string key, string? rateKey)
    {
        if (rateKey is not null)
        {
            if (key == rateKey)
            {
                return (MetricNames.PrefixRate, false);
            }

            if (key == "resampling_importance_" + rateKey)
            {
                return (MetricNames.ResamplingEffect, false);
            }

            // The reference stores rate(dissimilar) - rate(next): the opposite of TraceViewer's sign.
            if (key == "counterfactual_importance_" + rateKey)
            {
                return (MetricNames.CounterfactualEffect, true);
            }

            if (key == "forced_importance_" + rateKey)
            {
                return (MetricNames.ForcedEffect, false);
            }
        }

        return key switch
        {
            "resampling_importance_kl" => (MetricNames.ResamplingKl, false),
            "counterfactual_importance_kl" => (MetricNames.CounterfactualKl, false),
            "forced_importance_kl" => (MetricNames.ForcedKl, false),
            "different_trajectories_fraction" => (MetricNames.DissimilarFraction, false),
            "overdeterminedness" => (MetricNames.Overdeterminedness, false),
            _ => (key, false),
        };
    }

    /// <summary>A rate from a file with the counts behind it: successes are rate x count rounded, the band is Wilson's.</summary>
    public static ImportedMetric Rate(int index, string name, string? sourceKey, double rate, int? count)
    {
        if (count is not > 0)
        {
            return new ImportedMetric(index, name, sourceKey, false, rate, null, null, null, null);
        }

        var successes = (int)Math.Clamp(Math.Round(rate * count.Value), 0, count.Value);
        var interval = Wilson.Interval(successes, count.Value);
        return new ImportedMetric(index, name, sourceKey, false, rate, count, successes, interval.Low, interval.High);
    }

    /// <summary>A rate counted from labelled resamples.</summary>
    public static ImportedMetric CountedRate(int index, string name, int successes, int count)
    {
        var interval = Wilson.Interval(successes, count);
        return new ImportedMetric(index, name, null, false, (double)successes / count, count, successes, interval.Low, interval.High);
    }

    /// <summary>The largest importance over sentences, by the rule every page uses (<see cref="ShownMetricSets.MaxImportance"/>).</summary>
    public static double? MaxImportance(IEnumerable<ImportedMetric> values) =>
        ShownMetricSets.MaxImportance(values.Select(v => (v.SentenceIndex, v.Name, v.Value)));

    /// <summary>Negation that never produces -0, which SQLite would not keep (and a re-import would then see a change).</summary>
    public static double Negate(double value) => value == 0 ? 0 : -value;

    public static double WithoutNegativeZero(double value) => value == 0 ? 0 : value;
}
