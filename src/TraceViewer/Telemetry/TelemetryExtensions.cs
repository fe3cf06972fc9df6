using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TraceViewer.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics, registered only when an exporter is configured (<c>Telemetry:Console</c>,
/// <c>Telemetry:Otlp:Endpoint</c>). Traces: the app's own spans (<see cref="AppTelemetry.SourceName"/>), incoming
/// requests (health probes left out) and outgoing HTTP calls. Metrics: the jobs meter, ASP.NET Core's request metrics,
/// HTTP client and .NET runtime metrics.
/// </summary>
internal static class TelemetryExtensions
{
    /// <summary>Probes answer every few seconds and say nothing about the work: they get no spans.</summary>
    private static readonly string[] UntracedPaths = ["/healthz", "/readyz"];

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = TelemetryOptions.From(builder.Configuration);
        if (!options.Enabled)
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName,
                serviceVersion: typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString(), autoGenerateServiceInstanceId: true))
            .WithTracing(tracing =>
            {
                Instrument(tracing);
                if (options.Console)
                {
                    tracing.AddConsoleExporter();
                }

                if (options.Otlp.Endpoint is { } endpoint)
                {
                    tracing.AddOtlpExporter(o => Otlp(o, options.Otlp, endpoint, "v1/traces"));
                }
            })
            .WithMetrics(metrics =>
            {
                Instrument(metrics);
                var interval = (int)options.MetricsInterval.TotalMilliseconds;
                if (options.Console)
                {
                    metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval);
                }

                if (options.Otlp.Endpoint is { } endpoint)
                {
                    metrics.AddOtlpExporter((o, reader) =>
                    {
                        Otlp(o, options.Otlp, endpoint, "v1/metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                    });
                }
            });
        return builder;
    }

    /// <summary>The spans collected: the app's own, incoming requests and outgoing HTTP calls.</summary>
    internal static TracerProviderBuilder Instrument(TracerProviderBuilder tracing) => tracing
        .AddSource(AppTelemetry.SourceName)
        .AddAspNetCoreInstrumentation(o =>
        {
            o.Filter = context => !UntracedPaths.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
            // A path may hold a share link's or an invitation's token: spans name the route's template instead.
            o.EnrichWithHttpResponse = (activity, response) =>
            {
                if (response.HttpContext.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route })
                {
                    activity.SetTag("url.path", route);
                }
            };
        })
        .AddHttpClientInstrumentation();

    /// <summary>The instruments collected: the jobs meter, ASP.NET Core's request metrics, HTTP client and runtime metrics.</summary>
    internal static MeterProviderBuilder Instrument(MeterProviderBuilder metrics) => metrics
        .AddMeter(AppTelemetry.JobsMeterName)
        .AddAspNetCoreInstrumentation()
        .AddHttpClientInstrumentation()
        .AddRuntimeInstrumentation();

    private static void Otlp(OtlpExporterOptions o, OtlpOptions options, Uri endpoint, string signalPath)
    {
        var http = options.Protocol != "grpc";
        o.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // Set in code, the endpoint is taken as it is, so over HTTP the signal's path is added here.
        o.Endpoint = http ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath) : endpoint;
        if (!string.IsNullOrWhiteSpace(options.Headers))
        {
            o.Headers = options.Headers;
        }
    }
}
