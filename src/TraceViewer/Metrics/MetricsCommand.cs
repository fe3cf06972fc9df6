using System.CommandLine;

namespace TraceViewer.Metrics;

internal static class MetricsCommand
{
    public static Command Create()
    {
        var command = new Command("metrics", "Compute per-chunk metrics for a file in the conformance format and print them as JSON.");
        return command;
    }
}
