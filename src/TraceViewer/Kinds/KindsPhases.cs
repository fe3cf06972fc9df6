using System.Diagnostics;
using TraceViewer.Telemetry;

namespace TraceViewer.Kinds;

/// <summary>
/// One span per step of a first load (<c>kinds.stamp</c>, <c>kinds.options</c>, <c>kinds.sets</c>, <c>kinds.effects</c>,
/// <c>kinds.tags</c>, <c>kinds.table</c>, <c>kinds.bootstrap</c>), one after another: starting a step ends the one before.
/// Nothing is recorded unless something listens to the app's spans (OpenTelemetry with an exporter, the benchmark).
/// </summary>
internal sealed class KindsPhases : IDisposable
{
    public const string Prefix = "kinds.";

    private Activity? _current;

    public void Next(string phase)
    {
        _current?.Dispose();
        _current = AppTelemetry.Source.StartActivity(Prefix + phase);
    }

    public void Dispose()
    {
        _current?.Dispose();
        _current = null;
    }
}
