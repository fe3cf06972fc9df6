using System.Globalization;

namespace TraceViewer.Traces;

/// <summary>How numbers read on the pages: three decimals, signed effects, intervals in brackets.</summary>
internal static class MetricFormat
{
    public static string Number(double? value) =>
        value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    public static string Signed(double? value) =>
        value is { } v ? v.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture) : "–";

    public static string Interval(double? low, double? high) =>
        low is { } l && high is { } h ? $"[{Number(l)}, {Number(h)}]" : "";

    public static string Counts(int? successes, int? count) =>
        count is { } n ? successes is { } k ? $"{k}/{n}" : $"n = {n}" : "";

    /// <summary>Round-trips: for thresholds in addresses and inputs.</summary>
    public static string Exact(double? value) =>
        value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    public static string Short(double? value) =>
        value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "";
}
