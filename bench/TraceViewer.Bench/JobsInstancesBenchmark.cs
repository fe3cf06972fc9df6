using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TraceViewer.Jobs;
using TraceViewer.Tests;

namespace TraceViewer.Bench;

/// <summary>
/// Jobs on a shared PostgreSQL database: N resample requests at a total concurrency of 64 against the loopback server
/// with a fixed latency, run by one app instance (64 at a time) and by two instances on the same database (32 each),
/// alternately, a few times each after a warm-up. Prints each run, the medians against the latency-bound ideal
/// N x latency / 64, and two instances against one. Both instances run in this process (as two hosts), each with its
/// own worker, connection pool and claims.
/// </summary>
internal static class JobsInstancesBenchmark
{
    private const int Concurrency = 64, Positions = 50;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(100);

    public static async Task<int> RunAsync(string[] args)
    {
        var loadAtStart = LoadAverage();
        var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4_000;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        await using var server = await LoopbackOpenAIServer.StartAsync();
        server.Latency = Latency;
        server.RecordBodies = false;
        server.Completion = _ => "Fine. </SCRATCHPAD_REASONING>\n<OUTPUT><request_fully_accepted/> ok</OUTPUT>";
        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", AppContext.BaseDirectory);
        try
        {
            var ideal = TimeSpan.FromSeconds(requests * Latency.TotalSeconds / Concurrency);
            Console.WriteLine($"jobs-instances: {requests} requests, concurrency {Concurrency} in all, latency {Latency.TotalMilliseconds} ms, PostgreSQL {postgres.Version}; ideal {ideal.TotalSeconds:0.00} s");
            // Warm-up: both shapes once on a small job, so neither measured shape pays for compiling the code.
            await RunOnceAsync(postgres, server, 1, Math.Min(requests, 500));
            await RunOnceAsync(postgres, server, 2, Math.Min(requests, 500));

            var times = new Dictionary<int, List<TimeSpan>> { [1] = [], [2] = [] };
            var failed = false;
            for (var run = 1; run <= runs; run++)
            {
                foreach (var instances in new[] { 1, 2 })
                {
                    var result = await RunOnceAsync(postgres, server, instances, requests);
                    failed |= !result.Complete;
                    times[instances].Add(result.Execution);
                    Console.WriteLine($"run {run}, {instances} instance(s) x {Concurrency / instances}: execution {result.Execution.TotalSeconds:0.00} s (ratio {result.Execution / ideal:0.000}), "
                        + $"creation {result.Creation.TotalSeconds:0.00} s, done {result.Done}, claimed by instance {string.Join(" / ", result.PerInstance)}");
                }
            }

            var one = Median(times[1]);
            var two = Median(times[2]);
            Console.WriteLine($"median, one instance x 64:    {one.TotalSeconds:0.00} s, {one / ideal:0.000} x ideal (target <= 1.2)");
            Console.WriteLine($"median, two instances x 32:   {two.TotalSeconds:0.00} s, {two / ideal:0.000} x ideal (target <= 1.2)");
            Console.WriteLine($"two instances / one instance: {two / one:0.000} (target <= 1.2)");
            Console.WriteLine($"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB (instances and loopback server in one process)");
            Console.WriteLine($"load average at the end: {LoadAverage()} (at the start: {loadAtStart})");
            return failed ? 1 : 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await postgres.DisposeAsync();
        }
    }

    private sealed record Run(TimeSpan Creation, TimeSpan Execution, int Done, bool Complete, IReadOnlyList<int> PerInstance);

    /// <summary>A fresh database, <paramref name="instances"/> hosts on it sharing the concurrency, one job of <paramref name="requests"/> items.</summary>
    private static async Task<Run> RunOnceAsync(PostgresServer postgres, LoopbackOpenAIServer server, int instances, int requests)
    {
        var connection = postgres.ConnectionString("bench_" + Guid.NewGuid().ToString("N"));
        var hosts = Enumerable.Range(0, instances).Select(_ => new InstanceApp(connection, server.BaseUrl, Concurrency / instances)).ToList();
        try
        {
            // The first host migrates and seeds; the others start on the migrated database.
            var traceId = await JobsBenchmark.SeedAsync(hosts[0].Services, Positions);
            foreach (var host in hosts.Skip(1))
            {
                _ = host.Services;
            }

            var n = requests / Positions;
            var stopwatch = Stopwatch.StartNew();
            int jobId;
            await using (var scope = hosts[0].Services.CreateAsyncScope())
            {
                var (id, errors) = await scope.ServiceProvider.GetRequiredService<JobService>().CreateAsync(
                    new JobRequest { TraceId = traceId, N = n, Provider = "loop", Temperature = 0.6 }, CancellationToken.None);
                jobId = id ?? throw new InvalidOperationException(string.Join("; ", errors!.SelectMany(e => e.Value)));
            }

            var created = stopwatch.Elapsed;
            JobStatusView status;
            while (true)
            {
                await using var scope = hosts[0].Services.CreateAsyncScope();
                status = (await scope.ServiceProvider.GetRequiredService<JobStatusQuery>().GetAsync(jobId, CancellationToken.None))!;
                if (!status.IsActive || stopwatch.Elapsed > TimeSpan.FromMinutes(5))
                {
                    break;
                }

                await Task.Delay(50);
            }

            var execution = stopwatch.Elapsed - created;
            var perInstance = new List<int>();
            foreach (var host in hosts)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TraceViewer.Data.TraceViewerDbContext>();
                var name = host.Services.GetRequiredService<JobInstance>().Id;
                perInstance.Add(db.Set<JobItem>().Count(i => i.JobId == jobId && i.LeaseOwner == name));
            }

            return new Run(created, execution, status.Done, status.Done == n * Positions, perInstance);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages, where the system tells them: a busy machine inflates every time here.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static TimeSpan Median(List<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed class InstanceApp(string connection, string baseUrl, int concurrency) : WebApplicationFactory<JobsOptions>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Database:Provider", "PostgreSQL");
            builder.UseSetting("ConnectionStrings:TraceViewer", connection);
            builder.UseSetting("SampleData:ImportOnStart", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            // Not news here: each run's database does not exist until the first host migrates it, and its first key is stored as is.
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Connection", "Critical");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
            builder.UseSetting("Providers:loop:BaseUrl", baseUrl);
            builder.UseSetting("Providers:loop:Models:0", "m");
            builder.UseSetting("Providers:loop:MaxConcurrentRequests", concurrency.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Jobs:PollInterval", "00:00:00.050");
        }
    }
}
