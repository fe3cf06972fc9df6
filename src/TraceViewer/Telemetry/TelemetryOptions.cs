using System.ComponentModel.DataAnnotations;

namespace TraceViewer.Telemetry;

/// <summary>
/// Where traces and metrics go. Nothing is set by default, and then nothing is collected: no tracer or meter provider
/// is registered, so the app's spans and instruments have no listener.
/// </summary>
internal sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Writes spans and metrics to standard output (for a look at what is collected).</summary>
    public bool Console { get; set; }

    public OtlpOptions Otlp { get; set; } = new();

    /// <summary>How often metrics are collected and sent.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The <c>service.name</c> every span and metric carries.</summary>
    [Required]
    public string ServiceName { get; set; } = "TraceViewer";

    public bool Enabled => Console || Otlp.Endpoint is not null;

    public static TelemetryOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
}

/// <summary>An OpenTelemetry Protocol collector (the OpenTelemetry Collector, Jaeger, Tempo, Prometheus' OTLP receiver ...).</summary>
internal sealed class OtlpOptions
{
    /// <summary>
    /// The collector's base address, e.g. <c>http://collector:4318</c> (HTTP) or <c>http://collector:4317</c> (gRPC).
    /// Over HTTP, <c>/v1/traces</c> and <c>/v1/metrics</c> are added to it.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary><c>http/protobuf</c> (the default) or <c>grpc</c>.</summary>
    [RegularExpression("^(http/protobuf|grpc)$", ErrorMessage = "Telemetry:Otlp:Protocol is http/protobuf or grpc.")]
    public string Protocol { get; set; } = "http/protobuf";

    /// <summary>Extra headers for the collector, as <c>key1=value1,key2=value2</c> (e.g. an authorization token).</summary>
    public string? Headers { get; set; }
}
