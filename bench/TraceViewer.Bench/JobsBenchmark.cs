using System.Diagnostics;
using Trace = TraceViewer.Traces.Trace;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Jobs;
using TraceViewer.Traces;
using TraceViewer.Tests;

namespace TraceViewer.Bench;

/// <summary>
/// Resampling throughput: N requests at concurrency C against the loopback server with a fixed latency, through the
/// real worker, SDK and SQLite file. Prints wall time against the ideal N x latency / C.
/// </summary>
internal static class JobsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var requests = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        const int Concurrency = 64, Positions = 50;
        var latency = TimeSpan.FromMilliseconds(100);
        await using var server = await LoopbackOpenAIServer.StartAsync();
        server.Latency = latency;
        server.RecordBodies = false;
        server.Completion = _ => "Fine. </SCRATCHPAD_REASONING>\n<OUTPUT><request_fully_accepted/> ok</OUTPUT>";
        var directory = Directory.CreateTempSubdirectory("traceviewer-bench-").FullName;
        // The factory looks for the app's project folder beside a solution; the build output serves as content root.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", AppContext.BaseDirectory);
        try
        {
            await using var app = new BenchApp(directory, server.BaseUrl, Concurrency);
            var traceId = await SeedAsync(app.Services, Positions);
            var n = requests / Positions;
            var stopwatch = Stopwatch.StartNew();
            int jobId;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var (id, errors) = await scope.ServiceProvider.GetRequiredService<JobService>().CreateAsync(
                    new JobRequest { TraceId = traceId, N = n, Provider = "loop", Temperature = 0.6 }, CancellationToken.None);
                jobId = id ?? throw new InvalidOperationException(string.Join("; ", errors!.SelectMany(e => e.Value)));
            }

            var created = stopwatch.Elapsed;
            // Requests the server holds at each poll: below the concurrency means the provider is not kept busy.
            long held = 0, polls = 0;
            JobStatusView status;
            while (true)
            {
                await using var scope = app.Services.CreateAsyncScope();
                status = (await scope.ServiceProvider.GetRequiredService<JobStatusQuery>().GetAsync(jobId, CancellationToken.None))!;
                if (!status.IsActive)
                {
                    break;
                }

                if (stopwatch.Elapsed > TimeSpan.FromMinutes(5))
                {
                    Console.WriteLine($"gave up after {stopwatch.Elapsed.TotalSeconds:0} s: status {status.Status}, done {status.Done}, server answered {server.Answered}");
                    return 1;
                }

                held += server.Requests - server.Answered;
                if (Environment.GetEnvironmentVariable("BENCH_TIMELINE") is not null)
                {
                    Console.WriteLine($"{stopwatch.Elapsed.TotalSeconds:0.0} held {server.Requests - server.Answered} answered {server.Answered}");
                }

                polls++;
                await Task.Delay(100);
            }

            var wall = stopwatch.Elapsed;
            var execution = wall - created;
            var ideal = TimeSpan.FromSeconds(n * Positions * latency.TotalSeconds / Concurrency);
            Console.WriteLine($"jobs: {n * Positions} requests, concurrency {Concurrency}, latency {latency.TotalMilliseconds} ms");
            Console.WriteLine($"status {status.Status}, done {status.Done}, failed {status.Failed}, retries {status.Retries}, server answered {server.Answered}");
            Console.WriteLine($"job creation {created.TotalSeconds:0.00} s");
            Console.WriteLine($"execution {execution.TotalSeconds:0.00} s, ideal {ideal.TotalSeconds:0.00} s, ratio {execution / ideal:0.000}, mean requests at the server {(polls == 0 ? 0 : (double)held / polls):0.0}");
            Console.WriteLine($"wall {wall.TotalSeconds:0.00} s (creation and execution), ideal {ideal.TotalSeconds:0.00} s, ratio {wall / ideal:0.000}");
            Console.WriteLine($"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB (app and loopback server in one process)");
            return status.Done == n * Positions ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    internal static async Task<int> SeedAsync(IServiceProvider services, int sentences)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        var dataset = new Dataset { Key = "bench", Name = "Bench", Model = "m", Kind = TraceViewer.Datasets.DatasetKind.AlignmentFaking, SourceFormat = "bench" };
        var text = new System.Text.StringBuilder();
        var list = new List<Sentence>();
        for (var k = 0; k < sentences; k++)
        {
            var sentence = k == 0 ? "<SCRATCHPAD_REASONING>" : $"Step {k} of the reasoning.";
            list.Add(new Sentence { Index = k, Text = sentence, Separator = " ", Start = text.Length, End = text.Length + sentence.Length });
            text.Append(sentence).Append(' ');
        }

        var trace = new Trace
        {
            ExternalKey = "t", Title = "t", Model = "m", SourceFormat = "bench", Prompt = "Do it.", UserPrompt = "Do it.",
            Response = text.ToString(), Reasoning = text.ToString(), SentenceCount = sentences, Dataset = dataset, Sentences = list,
        };
        db.Add(trace);
        await db.SaveChangesAsync();
        return trace.Id;
    }

    private sealed class BenchApp(string directory, string baseUrl, int concurrency) : WebApplicationFactory<JobsOptions>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:TraceViewer", $"Data Source={Path.Combine(directory, "bench.db")}");
            builder.UseSetting("SampleData:ImportOnStart", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Providers:loop:BaseUrl", baseUrl);
            builder.UseSetting("Providers:loop:Models:0", "m");
            builder.UseSetting("Providers:loop:MaxConcurrentRequests", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Jobs:PollInterval", "00:00:00.050");
        }
    }
}
