using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TraceViewer.Web;
using TraceViewer.Import;
using TraceViewer.Tests;

namespace TraceViewer.Bench;

/// <summary>
/// Import speed against the floor of parsing the same JSON: the fixture viewer bundles copied to a study of the size of
/// thought-anchors.com's (39 MATH problems and 3 scenarios, about 118 MB and 546,000 resamples), each file parsed with
/// System.Text.Json, then imported into a fresh SQLite file and a fresh PostgreSQL database. Each import runs in its own
/// process, so its peak working set is the import's own; the process then imports the same files into another fresh
/// database, whose time is the import's own throughput, as the parse's median is (the first import also compiles the
/// code it runs, which a study ten times the size pays once).
/// </summary>
internal static class ImportBenchmark
{
    private const int Problems = 39;
    private const int Scenarios = 3;

    /// <summary>The command's database and the second import's.</summary>
    private static readonly string[] DatabaseSuffixes = ["", "-warm"];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var folder = Directory.CreateTempSubdirectory("traceviewer-import-bench-").FullName;
        var postgres = new PostgresServer();
        try
        {
            var (bytes, files) = Generate(folder);
            Console.WriteLine($"import: {files} files, {bytes / 1e6:0.0} MB, load {BenchPaths.LoadAverage()}");

            var parse = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                parse.Add(ParseAll(folder));
            }

            var floor = Median(parse);
            Console.WriteLine($"JSON parse of every file (System.Text.Json): median {floor:0.00} s, {bytes / 1e6 / floor:0.0} MB/s");

            await postgres.InitializeAsync();
            var failed = false;
            foreach (var provider in new[] { "Sqlite", "PostgreSQL" })
            {
                var times = new List<double>();
                var warmTimes = new List<double>();
                var peaks = new List<double>();
                for (var run = 0; run < runs; run++)
                {
                    // A fresh database for the command's import, and another for a second import by the same process.
                    var connections = DatabaseSuffixes.Select(suffix => provider == "Sqlite"
                        ? $"Data Source={Path.Combine(folder, $"bench-{run}{suffix}.db")}"
                        : postgres.ConnectionString("bench_" + Guid.NewGuid().ToString("N"))).ToArray();
                    var result = await RunChildAsync(provider, connections, Path.Combine(folder, "data"));
                    if (result is null)
                    {
                        failed = true;
                        break;
                    }

                    times.Add(result.Value.Seconds);
                    warmTimes.Add(result.Value.WarmSeconds);
                    peaks.Add(result.Value.PeakMiB);
                    Console.WriteLine($"  {provider} run {run + 1}: {result.Value.Seconds:0.00} s, {result.Value.Resamples} resamples, peak working set {result.Value.PeakMiB:0} MiB, "
                        + $"peak managed heap {result.Value.HeapMiB:0} MiB, allocated {result.Value.AllocatedMiB:0} MiB; a second import in the same process {result.Value.WarmSeconds:0.00} s");
                }

                if (times.Count > 0)
                {
                    var median = Median(times);
                    Console.WriteLine($"{provider}: median {median:0.00} s, {bytes / 1e6 / median:0.0} MB/s, {median / floor:0.0}x the parse (target <= 5), "
                        + $"peak working set {peaks.Max():0} MiB (target <= 300)");
                    // The parse's median is of a process that has run it before; so is this one (the code the import
                    // runs compiled and optimised, the database's model built): the import's own throughput.
                    var warm = Median(warmTimes);
                    Console.WriteLine($"{provider}, second import in the same process: median {warm:0.00} s, {bytes / 1e6 / warm:0.0} MB/s, {warm / floor:0.0}x the parse");
                }
            }

            Console.WriteLine($"load average at the end: {BenchPaths.LoadAverage()}");
            return failed ? 1 : 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await postgres.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The child: one import through the host the `import` command builds (<see cref="CommandHost"/>), under the app's
    /// own runtime settings (the parent starts it with TraceViewer.runtimeconfig.json, so the same collector), then its
    /// time, resample count, peak working set, heap peak, allocation, collections and CPU; then, into a second fresh
    /// database, the same import again in the same process (its code now compiled and optimised), for its time alone.
    /// </summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        var (provider, data, connections) = (args[0], args[1], args[2..]);
        for (var i = 0; i < connections.Length; i++)
        {
            // The stored sizes, collections, peak and allocations are the first import's: the command's own.
            var result = await ImportOnceAsync(provider, connections[i], data, describe: i == 0);
            Console.WriteLine(i == 0 ? result : "WARM " + result.Split(' ')[1]);
        }

        return 0;
    }

    /// <param name="describe">Print what the import stored and its collections and CPU (the second import prints nothing).</param>
    private static async Task<string> ImportOnceAsync(string provider, string connection, string data, bool describe)
    {
        var host = CommandHost.Build(builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:TraceViewer"] = connection,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Connection"] = "Critical",
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
        }));
        try
        {
            // Migrations and the accounts' first read first, outside the measured time, as the command does them.
            await StartupWork.PrepareAsync(host.Services);
            await using var scope = host.Services.CreateAsyncScope();
            // Where the memory goes: the managed heap sampled every 20 ms (the working set also holds the runtime, the
            // database driver's buffers and pages the collector has not returned), and what the import allocated in all.
            using var sampling = new CancellationTokenSource();
            long heapPeak = 0;
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(false));
                    await Task.Delay(20, CancellationToken.None);
                }
            }, CancellationToken.None);
            var allocated = GC.GetTotalAllocatedBytes(precise: false);
            var collections = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
            var paused = GC.GetTotalPauseDuration();
            var process = Process.GetCurrentProcess();
            var (user, system) = (process.UserProcessorTime, process.PrivilegedProcessorTime);
            var stopwatch = Stopwatch.StartNew();
            var summary = await scope.ServiceProvider.GetRequiredService<ImportService>().ImportAsync(data, namesAboveRoot: false, null, CancellationToken.None);
            var seconds = stopwatch.Elapsed.TotalSeconds;
            await sampling.CancelAsync();
            await sampler;
            allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated;
            process.Refresh();
            if (describe)
            {
                Console.WriteLine(await StoredAsync(scope.ServiceProvider.GetRequiredService<TraceViewer.Data.TraceViewerDbContext>()));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"GC collections {GC.CollectionCount(0) - collections[0]} / {GC.CollectionCount(1) - collections[1]} / {GC.CollectionCount(2) - collections[2]} (gen 0 / 1 / 2), paused {(GC.GetTotalPauseDuration() - paused).TotalSeconds:0.00} s; "
                    + $"CPU {(process.UserProcessorTime - user).TotalSeconds:0.00} s user, {(process.PrivilegedProcessorTime - system).TotalSeconds:0.00} s system; "
                    + $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC"));
            }

            return string.Create(CultureInfo.InvariantCulture, $"RESULT {seconds} {summary.Resamples} {PeakMiB()} {heapPeak / 1048576.0} {allocated / 1048576.0}");
        }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync();
        }
    }

    private static async Task<(double Seconds, int Resamples, double PeakMiB, double HeapMiB, double AllocatedMiB, double WarmSeconds)?> RunChildAsync(string provider, string[] connections, string data)
    {
        // The bench's code under the app's runtime settings (server or workstation collector and the rest), as the
        // `import` command runs: `dotnet exec --runtimeconfig TraceViewer.runtimeconfig.json TraceViewer.Bench.dll`.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "exec", "--runtimeconfig", Path.Combine(AppContext.BaseDirectory, "TraceViewer.runtimeconfig.json"), typeof(ImportBenchmark).Assembly.Location })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var arg in new[] { "import-child", provider, data }.Concat(connections))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        var warm = output.Split('\n').FirstOrDefault(l => l.StartsWith("WARM ", StringComparison.Ordinal));
        foreach (var p in output.Split('\n').Where(l => l.StartsWith("GC ", StringComparison.Ordinal) || l.StartsWith("stored:", StringComparison.Ordinal)))
        {
            Console.WriteLine("    " + p);
        }
        if (process.ExitCode != 0 || line is null || warm is null)
        {
            Console.WriteLine($"  {provider}: the import failed (exit {process.ExitCode}): {await error}{output}");
            return null;
        }

        var parts = line.Split(' ');
        return (double.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), double.Parse(parts[3], CultureInfo.InvariantCulture),
            double.Parse(parts[4], CultureInfo.InvariantCulture), double.Parse(parts[5], CultureInfo.InvariantCulture), double.Parse(warm.Split(' ')[1], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// What the import left stored: the whole database (SQLite: its pages after a checkpoint) and the sentence links'
    /// table with its indexes (SQLite: from dbstat, where the library has it).
    /// </summary>
    private static async Task<string> StoredAsync(TraceViewer.Data.TraceViewerDbContext db)
    {
        var links = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Single(t => t.StartsWith("SentenceLink", StringComparison.Ordinal));
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        async Task<long?> ScalarAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            try
            {
                return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;
            }
            catch (System.Data.Common.DbException)
            {
                return null;
            }
        }

        long? total, table;
        if (db.Database.IsNpgsql())
        {
            total = await ScalarAsync("SELECT pg_database_size(current_database())");
            table = await ScalarAsync($"SELECT pg_total_relation_size('\"{links}\"')");
        }
        else
        {
            await ScalarAsync("PRAGMA wal_checkpoint(TRUNCATE)");
            total = await ScalarAsync("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
            table = await ScalarAsync($"SELECT sum(pgsize) FROM dbstat WHERE name = '{links}' OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '{links}')");
        }

        static string Megabytes(long? bytes) => bytes is { } b ? (b / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB" : "n/a";
        var rows = await ScalarAsync($"SELECT count(*) FROM \"{links}\"");
        return string.Create(CultureInfo.InvariantCulture, $"stored: database {Megabytes(total)}, {links} {Megabytes(table)} in {rows:N0} rows");
    }

    /// <summary>The highest resident set of this process so far (VmHWM), in MiB.</summary>
    private static double PeakMiB()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null
            ? Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0
            : double.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>Every file parsed into a JsonDocument and dropped: what reading the bytes costs at least.</summary>
    private static double ParseAll(string folder)
    {
        var stopwatch = Stopwatch.StartNew();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(folder, "data"), "*.json", SearchOption.AllDirectories))
        {
            using var stream = File.OpenRead(file);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = false });
        }

        return stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>Copies the two fixture items to <see cref="Problems"/> + <see cref="Scenarios"/> item folders.</summary>
    private static (long Bytes, int Files) Generate(string folder)
    {
        var fixtures = FixturesFolder();
        var sources = new[]
        {
            (Path.Combine(fixtures, "deepseek-r1-distill-qwen-14b", "correct_base_solution", "problem_330"), "deepseek-r1-distill-qwen-14b/correct_base_solution/problem_", Problems),
            (Path.Combine(fixtures, "qwq-32b", "yes_base_solution", "scenario_0"), "qwq-32b/yes_base_solution/scenario_", Scenarios),
        };
        long bytes = 0;
        var files = 0;
        foreach (var (source, prefix, count) in sources)
        {
            for (var i = 0; i < count; i++)
            {
                var target = Path.Combine(folder, "data", prefix + (1000 + i).ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(target);
                foreach (var file in Directory.EnumerateFiles(source, "*.json"))
                {
                    var copy = Path.Combine(target, Path.GetFileName(file));
                    // Written, not copied: the fixtures are read-only, and the bench deletes its folder at the end.
                    File.WriteAllBytes(copy, File.ReadAllBytes(file));
                    bytes += new FileInfo(copy).Length;
                    files++;
                }
            }
        }

        return (bytes, files);
    }

    private static string FixturesFolder()
    {
        var shared = Environment.GetEnvironmentVariable("TRACEVIEWER_SHARED") ?? "/work/shared";
        return Path.Combine(shared, "fixtures", "thought-anchors");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
