using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TraceViewer.Tests.Jobs;
using static TraceViewer.Tests.LoopbackOpenAIServer;

namespace TraceViewer.Tests.Telemetry;

/// <summary>
/// Traces and metrics: off unless an exporter is configured; configured, a job run against the loopback provider gives
/// the job counters, the provider latency histogram, the queue depth and spans, exported in memory and over OTLP/HTTP to
/// a receiver the test runs, with no key, prompt or model output in them.
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private const string Provider = "otel-loop";
    private const string KeyVariable = "TRACEVIEWER_TELEMETRY_TEST_KEY";
    private const string Key = "sk-telemetry-test-6f1c2d9e";

    private LoopbackOpenAIServer _server = null!;
    private OtlpReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _server = await StartAsync();
        _server.Completion = JobTestHost.Script;
        _receiver = await OtlpReceiver.StartAsync();
        Environment.SetEnvironmentVariable(KeyVariable, Key);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public void WithNothingConfiguredNoTracerOrMeterProviderIsRegistered()
    {
        using var app = new TestApp();

        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.Null(app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public void TheConsoleExporterAloneTurnsTracesAndMetricsOn()
    {
        using var app = new TestApp().WithSetting("Telemetry:Console", "true");

        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task AJobRunGivesItsCountersLatenciesQueueDepthAndSpansWithoutSecrets()
    {
        var spans = new ConcurrentQueue<Activity>();
        var metrics = new List<MetricSnapshot>();
        await using var app = new TestApp().WithSystemClock()
            .WithSetting($"Providers:{Provider}:BaseUrl", _server.BaseUrl)
            .WithSetting($"Providers:{Provider}:Models:0", "model-x")
            .WithSetting($"Providers:{Provider}:PrefillFlag", "prefix")
            .WithSetting($"Providers:{Provider}:ApiKeyVariable", KeyVariable)
            .WithSetting("Jobs:BaseBackoff", "00:00:00.010")
            .WithSetting("Jobs:MaxBackoff", "00:00:00.050")
            .WithSetting("Jobs:PollInterval", "00:00:00.050")
            .WithSetting("Telemetry:Otlp:Endpoint", _receiver.BaseUrl)
            .WithServices(s =>
            {
                s.ConfigureOpenTelemetryTracerProvider(b => b.AddProcessor(new SimpleActivityExportProcessor(new QueueExporter(spans))));
                s.ConfigureOpenTelemetryMeterProvider(b => b.AddInMemoryExporter(metrics));
                // Other test hosts in this process have meters of the same names; only this app's count here (a
                // gauge from another host would overwrite this one's value).
                s.ConfigureOpenTelemetryMeterProvider((sp, b) =>
                {
                    var own = sp.GetRequiredService<IMeterFactory>();
                    b.AddView(instrument => instrument.Meter.Scope is IMeterFactory other && !ReferenceEquals(other, own) ? MetricStreamConfiguration.Drop : null);
                });
            });
        var trace = await JobTestHost.SeedAsync(app);
        var client = app.CreateClient();
        var tracer = app.Services.GetRequiredService<TracerProvider>();
        var meter = app.Services.GetRequiredService<MeterProvider>();
        // The provider holds every answer until the queue depth was seen with the items claimed; then the first call
        // fails with 500 (retried) and the next with 400 (failed for good).
        var gate = new TaskCompletionSource();
        _server.Gate = gate.Task;
        _server.InjectFaults(new Fault(FaultKind.ServerError), new Fault(FaultKind.BadRequest));

        var id = await JobTestHost.StartAsync(client, new { traceId = trace.TraceId, positions = new { from = 1, to = 2 }, n = 2, provider = Provider, temperature = 0.6 });
        await Wait.UntilAsync(() =>
        {
            meter.ForceFlush();
            return Queue(metrics) is { Running: > 0 } q && q.Pending + q.Running == 4;
        }, TimeSpan.FromSeconds(30), "the queue depth to show the job's four items, some running");
        gate.SetResult();
        var status = await JobTestHost.WaitFinishedAsync(client, id);
        await Wait.UntilAsync(() =>
        {
            meter.ForceFlush();
            return Queue(metrics) is { Pending: 0, Running: 0 };
        }, TimeSpan.FromSeconds(30), "the queue depth to go back to nothing");
        tracer.ForceFlush();

        Assert.Equal(3, status.GetProperty("done").GetInt32());
        Assert.Equal(1, status.GetProperty("failed").GetInt32());
        var tags = new Dictionary<string, string> { ["job.kind"] = "resample", ["provider"] = Provider };
        Assert.Equal(3, Sum(metrics, "traceviewer.job.items.done", tags));
        Assert.Equal(1, Sum(metrics, "traceviewer.job.items.failed", tags));
        Assert.Equal(1, Sum(metrics, "traceviewer.job.items.retried", tags));
        var calls = Latest(metrics, "traceviewer.provider.request.duration").Where(p => Tag(p, "provider") == Provider).ToList();
        Assert.Equal(3, calls.Where(p => Tag(p, "outcome") == "ok" && Tag(p, "model") == "model-x").Sum(p => p.GetHistogramCount()));
        Assert.Equal(["400", "500"], calls.Where(p => Tag(p, "outcome") == "error").Select(p => Tag(p, "error.type")).Order());
        Assert.All(calls, p => Assert.True(p.GetHistogramSum() > 0));
        Assert.True(Sum(metrics, "traceviewer.provider.tokens", new() { ["provider"] = Provider, ["token.type"] = "input" }) > 0);
        Assert.Contains(metrics, m => m.Name == "http.server.request.duration");

        var ours = spans.Where(a => (string?)a.GetTagItem("provider") == Provider).ToList();
        var items = ours.Where(a => a.OperationName == "job.item").ToList();
        Assert.Equal(["done", "done", "done", "failed", "retry"], items.Select(a => (string)a.GetTagItem("outcome")!).Order());
        Assert.All(items, a => Assert.Equal(("resample", id), ((string)a.GetTagItem("job.kind")!, (int)a.GetTagItem("job.id")!)));
        var providerCalls = ours.Where(a => a.OperationName == "provider.call").ToList();
        Assert.Equal(5, providerCalls.Count);
        Assert.All(providerCalls, call =>
        {
            Assert.Equal(ActivityKind.Client, call.Kind);
            Assert.Contains(items, item => item.SpanId == call.ParentSpanId);
            // The HTTP client span of the request itself sits below the provider call.
            Assert.Contains(spans, http => http.Source.Name == "System.Net.Http" && http.ParentSpanId == call.SpanId);
        });
        Assert.Equal(2, providerCalls.Count(a => a.Status == ActivityStatusCode.Error));

        await Wait.UntilAsync(() => _receiver.Received("/v1/traces", "provider.call") && _receiver.Received("/v1/metrics", "traceviewer.job.items.done"),
            TimeSpan.FromSeconds(30), "the OTLP receiver to get the spans and metrics");
        Assert.True(_receiver.Received("/v1/metrics", "traceviewer.provider.request.duration"));
        Assert.True(_receiver.Received("/v1/traces", "job.item"));

        // No key, prompt or model output anywhere: span tags, names and events, metric tags, the bytes sent.
        string[] secrets = [Key, .. JobTestHost.Sentences.Where(s => !s.StartsWith('<')), "I refuse", "Here it is"];
        var spanText = string.Join('\n', spans.SelectMany(a => a.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(a.DisplayName).Concat(a.Events.Select(e => e.Name))));
        var metricText = string.Join('\n', metrics.SelectMany(m => m.MetricPoints.SelectMany(p => Tags(p).Select(t => $"{t.Key}={t.Value}"))));
        Assert.Contains(Provider, spanText, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, spanText, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, metricText, StringComparison.Ordinal);
            Assert.False(_receiver.ReceivedAnywhere(secret), $"'{secret}' was sent to the collector");
        }

        // The key did reach the provider, so its absence above means something.
        Assert.Contains(_server.AuthorizationHeaders, h => h.Contains(Key, StringComparison.Ordinal));
    }

    private static (long Pending, long Running)? Queue(List<MetricSnapshot> metrics)
    {
        var points = Latest(metrics, "traceviewer.job.queue.items");
        return points.Count == 0 ? null
            : (points.Where(p => Tag(p, "state") == "pending").Sum(p => p.GetGaugeLastValueLong()), points.Where(p => Tag(p, "state") == "running").Sum(p => p.GetGaugeLastValueLong()));
    }

    private static long Sum(List<MetricSnapshot> metrics, string name, Dictionary<string, string> tags) =>
        Latest(metrics, name).Where(p => tags.All(t => Tag(p, t.Key) == t.Value)).Sum(p => p.GetSumLong());

    /// <summary>The points of the newest export of <paramref name="name"/> (cumulative, so the newest holds everything).</summary>
    private static List<MetricPoint> Latest(List<MetricSnapshot> metrics, string name)
    {
        lock (metrics)
        {
            return metrics.LastOrDefault(m => m.Name == name)?.MetricPoints.ToList() ?? [];
        }
    }

    private static string? Tag(MetricPoint point, string key) => Tags(point).FirstOrDefault(t => t.Key == key).Value?.ToString();

    private static List<KeyValuePair<string, object?>> Tags(MetricPoint point)
    {
        var tags = new List<KeyValuePair<string, object?>>();
        foreach (var tag in point.Tags)
        {
            tags.Add(tag);
        }

        return tags;
    }

    /// <summary>Keeps finished spans (the in-memory exporter's list is not safe to read while spans end on other threads).</summary>
    private sealed class QueueExporter(ConcurrentQueue<Activity> spans) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                spans.Enqueue(activity);
            }

            return ExportResult.Success;
        }
    }

    /// <summary>An OTLP/HTTP receiver on loopback: keeps the protobuf bodies posted to /v1/traces and /v1/metrics.</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _bodies = new();

        private OtlpReceiver(WebApplication app) => _app = app;

        public string BaseUrl { get; private set; } = "";

        public static async Task<OtlpReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new OtlpReceiver(app);
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                receiver._bodies.Enqueue((context.Request.Path.Value!, body.ToArray()));
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return receiver;
        }

        /// <summary>Protobuf keeps strings as UTF-8 bytes, so a span or metric name is found as it is.</summary>
        public bool Received(string path, string text) =>
            _bodies.Any(b => b.Path == path && b.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0);

        public bool ReceivedAnywhere(string text) => _bodies.Any(b => b.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0);

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
