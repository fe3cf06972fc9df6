namespace TraceViewer.Metrics;

/// <summary>A stored metric set as far as choosing it goes.</summary>
internal readonly record struct MetricSetChoice(int Id, int TraceId, MetricSource Source);

/// <summary>
/// Which stored metric set the pages show for a trace and an outcome when no threshold is asked for: the newest
/// computed set, else the newest imported one (ids grow with time; SQLite cannot order by a DateTimeOffset). The
/// trace page, sentence search and the "which kinds of sentences matter" page all read effects through this rule.
/// </summary>
internal static class ShownMetricSets
{
    /// <summary>The shown set of each trace among <paramref name="sets"/> (all of one outcome), by trace id.</summary>
    public static Dictionary<int, MetricSetChoice> PerTrace(IEnumerable<MetricSetChoice> sets)
    {
        var shown = new Dictionary<int, MetricSetChoice>();
        foreach (var set in sets)
        {
            if (!shown.TryGetValue(set.TraceId, out var current) || Before(set, current))
            {
                shown[set.TraceId] = set;
            }
        }

        return shown;
    }

    /// <summary>Whether <paramref name="a"/> is shown rather than <paramref name="b"/>.</summary>
    public static bool Before(MetricSetChoice a, MetricSetChoice b) =>
        a.Source != b.Source ? a.Source == MetricSource.Computed : a.Id > b.Id;
}
