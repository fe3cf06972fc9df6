using System.Diagnostics;

namespace TraceViewer.Telemetry;

/// <summary>
/// The names the app's own spans and instruments are published under. Spans and instrument tags carry identifiers,
/// kinds, provider and model names, counts and outcomes only: never an API key, a prompt or a model's output.
/// </summary>
internal static class AppTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> of the app's own spans (job items, provider calls).</summary>
    public const string SourceName = "TraceViewer";

    /// <summary>The meter of the jobs worker: items done and failed, provider call durations and tokens, queue depth.</summary>
    public const string JobsMeterName = "TraceViewer.Jobs";

    public static readonly ActivitySource Source = new(SourceName, typeof(AppTelemetry).Assembly.GetName().Version?.ToString());
}
