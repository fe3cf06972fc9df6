using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceViewer.Jobs;
using TraceViewer.Tests;

namespace TraceViewer.Bench;

/// <summary>
/// What OpenTelemetry costs when it is on: the prerendered trace page (as <c>trace-page</c>) and a resample job (as
/// <c>jobs</c>), by the app with telemetry off and by the app exporting traces and metrics over OTLP http/protobuf to a
/// loopback sink that reads and discards every request. One app at a time on the same SQLite file, started anew each
/// round, off and on alternating (off first in even rounds, on first in odd ones): the process's span and metric
/// listeners are global, so two apps side by side would trace each other.
/// </summary>
internal static class TelemetryBenchmark
{
    private const int WarmUp = 30;
    private const int Concurrency = 64;
    private const int JobPositions = 50;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(20);

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = Arg(args, 0, 200);
        var jobRequests = Arg(args, 1, 2_000);
        var rounds = Arg(args, 2, 5);
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", TracePageBenchmark.FindAppFolder());
        await using var sink = await OtlpSink.StartAsync();
        await using var provider = await LoopbackOpenAIServer.StartAsync();
        provider.Latency = Latency;
        provider.RecordBodies = false;
        provider.Completion = _ => "Fine. </SCRATCHPAD_REASONING>\n<OUTPUT><request_fully_accepted/> ok</OUTPUT>";
        var directory = Directory.CreateTempSubdirectory("traceviewer-bench-");
        var database = Path.Combine(directory.FullName, "bench.db");
        try
        {
            int pageTrace, jobTrace;
            await using (var seeding = new TelemetryApp(database, provider.BaseUrl, null))
            {
                pageTrace = await TracePageBenchmark.SeedAsync(seeding.Services);
                jobTrace = await JobsBenchmark.SeedAsync(seeding.Services, JobPositions);
            }

            Console.WriteLine($"telemetry: {rounds} rounds, each GET /traces/{{id}} x {requests} (after {WarmUp} warm-up) and a resample job of {jobRequests} requests "
                + $"(concurrency {Concurrency}, provider latency {Latency.TotalMilliseconds} ms), off and on alternating; OTLP http/protobuf to {sink.Endpoint}, "
                + $"metrics every 10 s; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
            var results = new Dictionary<bool, List<Round>> { [false] = [], [true] = [] };
            for (var round = 0; round < rounds; round++)
            {
                foreach (var on in round % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    var before = (sink.Requests, sink.Bytes);
                    Round result;
                    var app = new TelemetryApp(database, provider.BaseUrl, on ? sink.Endpoint : null);
                    try
                    {
                        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
                        var page = await PageAsync(client, $"/traces/{pageTrace}", requests);
                        var job = await JobAsync(app.Services, jobTrace, jobRequests / JobPositions);
                        result = new Round(page.Median, page.Cpu, job.Seconds, job.Cpu);
                        results[on].Add(result);
                    }
                    finally
                    {
                        // The last spans and metrics are sent when the app stops; they count with this round.
                        await app.DisposeAsync();
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {round + 1} {(on ? "on " : "off")}: page median {result.PageMs:F2} ms, CPU {result.PageCpuMs:F2} ms/request; "
                        + $"job {result.JobSeconds:F2} s, CPU {result.JobCpuMs:F2} ms/request; sink got {sink.Requests - before.Requests} requests, "
                        + $"{(sink.Bytes - before.Bytes) / 1024.0:F1} KB; load average {LoadAverage()}"));
                }
            }

            Console.WriteLine("medians over the rounds:");
            foreach (var (name, pick, unit) in new (string, Func<Round, double>, string)[]
            {
                ("page median", r => r.PageMs, "ms"),
                ("page CPU per request", r => r.PageCpuMs, "ms"),
                ("job wall time", r => r.JobSeconds, "s"),
                ("job CPU per request", r => r.JobCpuMs, "ms"),
            })
            {
                var off = Median(results[false].Select(pick));
                var on = Median(results[true].Select(pick));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: off {off:F2} {unit}, on {on:F2} {unit}, on/off {on / off:F3}"));
            }

            Console.WriteLine($"sink: {sink.Requests} requests, {sink.Bytes / 1024.0:F1} KB in all; load average at the end {LoadAverage()}");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private sealed record Round(double PageMs, double PageCpuMs, double JobSeconds, double JobCpuMs);

    private static async Task<(double Median, double Cpu)> PageAsync(HttpClient client, string path, int runs)
    {
        for (var i = 0; i < WarmUp; i++)
        {
            await GetAsync(client, path);
        }

        var times = new double[runs];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await GetAsync(client, path);
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        return (Median(times), (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / runs);
    }

    /// <summary>One resample job to its end; CPU is the whole process's (the loopback provider included, the same in both modes).</summary>
    private static async Task<(double Seconds, double Cpu)> JobAsync(IServiceProvider services, int traceId, int n)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        int jobId;
        await using (var scope = services.CreateAsyncScope())
        {
            var (id, errors) = await scope.ServiceProvider.GetRequiredService<JobService>().CreateAsync(
                new JobRequest { TraceId = traceId, N = n, Provider = "loop", Temperature = 0.6 }, CancellationToken.None);
            jobId = id ?? throw new InvalidOperationException(string.Join("; ", errors!.SelectMany(e => e.Value)));
        }

        // The job's progress feed: the status is read again each time the worker may have moved on.
        JobStatusView status;
        do
        {
            await using var scope = services.CreateAsyncScope();
            status = (await scope.ServiceProvider.GetRequiredService<JobStatusQuery>().GetAsync(jobId, CancellationToken.None))!;
            if (watch.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"job {jobId} not done after 5 minutes: {status.Status}, done {status.Done}");
            }

            if (status.IsActive)
            {
                await Task.Delay(20);
            }
        }
        while (status.IsActive);

        if (status.Done != n * JobPositions)
        {
            throw new InvalidOperationException($"job {jobId} ended {status.Status} with {status.Done} of {n * JobPositions} done");
        }

        return (watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / (n * JobPositions));
    }

    private static async Task GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index && int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The app as in production on the benchmark's file, with the loopback provider, and telemetry sent to <c>otlp</c> when given.</summary>
    private sealed class TelemetryApp(string databasePath, string providerUrl, string? otlp) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:TraceViewer", $"Data Source={databasePath}");
            builder.UseSetting("SampleData:ImportOnStart", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Providers:loop:BaseUrl", providerUrl);
            builder.UseSetting("Providers:loop:Models:0", "m");
            builder.UseSetting("Providers:loop:MaxConcurrentRequests", Concurrency.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Jobs:PollInterval", "00:00:00.050");
            if (otlp is not null)
            {
                builder.UseSetting("Telemetry:Otlp:Endpoint", otlp);
                builder.UseSetting("Telemetry:Otlp:Protocol", "http/protobuf");
                builder.UseSetting("Telemetry:MetricsInterval", "00:00:10");
            }
        }
    }

    /// <summary>An OTLP http/protobuf endpoint on 127.0.0.1 that reads every request's body, counts it and answers 200 with nothing.</summary>
    private sealed class OtlpSink : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private long _requests;
        private long _bytes;

        private OtlpSink(WebApplication app) => _app = app;

        public string Endpoint { get; private set; } = "";

        public long Requests => Interlocked.Read(ref _requests);

        public long Bytes => Interlocked.Read(ref _bytes);

        public static async Task<OtlpSink> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var sink = new OtlpSink(app);
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                var buffer = new byte[16 * 1024];
                long read = 0;
                int n;
                while ((n = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                {
                    read += n;
                }

                Interlocked.Add(ref sink._bytes, read);
                Interlocked.Increment(ref sink._requests);
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            sink.Endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            return sink;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
