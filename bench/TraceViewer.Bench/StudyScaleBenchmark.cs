using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Outcomes;
using TraceViewer.Search;
using TraceViewer.Tests;

namespace TraceViewer.Bench;

/// <summary>
/// The study-scale reads: /search (text, outcome, direction, minimum effect), /traces filtered, sorted and searched, /datasets and
/// a trace page, each timed as the prerendered page through the real app, on a generated study of 20 traces and on one
/// of many (default 2,000 x 150 sentences x 20 labelled resamples per position, in four datasets), median and p95, with
/// the ratios large / small. One generator (<see cref="StudyGenerator"/>) gives the study's values; on SQLite
/// (<c>study-scale</c>) they are written with prepared inserts in one transaction on the app's file (the full-text index
/// kept by its triggers), on PostgreSQL (<c>study-scale-pg</c>, a server started from the machine's package, a fresh
/// database migrated by the app) with binary COPY. Then every shown effect is built once, as on upgrade. On PostgreSQL
/// each page's queries are also run under EXPLAIN ANALYZE once the page is timed.
/// </summary>
internal static class StudyScaleBenchmark
{
    private const int WarmUp = 5;
    private const int Small = 20;
    private const int Datasets = 4;

    private static readonly string[] Pages =
    [
        "/search?text=the",
        "/search?text=word7",
        "/search?text=word900+word3",
        "/search?outcome=is_correct",
        "/search?outcome=is_correct&direction=promotes&min=0.3",
        "/search?outcome=is_correct&effect=kl&page=3",
        "/search?text=word7&outcome=is_correct&direction=suppresses",
        "/traces",
        "/traces?dataset=d1&outcome=is_correct&positive=true&sort=title",
        "/traces?model=m2&sort=newest&page=3",
        "/traces?q=word7",
        "/traces?q=word900+word3&sort=importance",
        "/datasets",
        "/traces/{mid}/sentences/{middle sentence}",
    ];

    /// <summary>One page's times through the app and, on PostgreSQL, its queries' plans.</summary>
    private sealed record PageTiming(double Median, double P95, QueryPlans.PageQueries? Queries);

    public static async Task<int> RunAsync(string[] args, bool postgres = false)
    {
        var traces = args.Length > 0 && int.TryParse(args[0], out var t) ? t : 2000;
        var sentences = args.Length > 1 && int.TryParse(args[1], out var s) ? s : 150;
        var resamples = args.Length > 2 && int.TryParse(args[2], out var r) ? r : 20;
        var runs = args.Length > 3 && int.TryParse(args[3], out var n) ? n : 40;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", BenchPaths.AppFolder());
        Console.WriteLine($"{Environment.ProcessorCount} cores, load average {BenchPaths.LoadAverage()} at the start, {runs} runs each after {WarmUp} warm-up runs");
        var results = new Dictionary<int, Dictionary<string, PageTiming>>();
        PostgresServer? server = null;
        if (postgres)
        {
            server = new PostgresServer();
            await server.InitializeAsync();
            Console.WriteLine($"PostgreSQL {server.Version} from the machine's package, started for this run");
        }

        try
        {
            foreach (var count in new[] { Small, traces })
            {
                results[count] = server is null
                    ? await SqliteHalfAsync(count, count == traces, sentences, resamples, runs)
                    : await PostgresHalfAsync(server, count, sentences, resamples, runs);
                Console.WriteLine($"  load average {BenchPaths.LoadAverage()} at the end of {count}");
            }
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| Page | {Small} traces: median / p95 ms | {traces} traces: median / p95 ms | ratio median / p95 |{(postgres ? $" queries' execution, {Small} / {traces} traces ms |" : "")}");
        Console.WriteLine(postgres ? "|---|---|---|---|---|" : "|---|---|---|---|");
        foreach (var page in Pages)
        {
            var (a, b) = (results[Small][page], results[traces][page]);
            var queries = a.Queries is { } qa && b.Queries is { } qb ? string.Create(CultureInfo.InvariantCulture, $" {qa.Execution:F1} / {qb.Execution:F1} |") : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| `{page}` | {a.Median:F1} / {a.P95:F1} | {b.Median:F1} / {b.P95:F1} | {b.Median / a.Median:F2} / {b.P95 / a.P95:F2} |{queries}"));
        }

        return 0;
    }

    private static async Task<Dictionary<string, PageTiming>> SqliteHalfAsync(int count, bool large, int sentences, int resamples, int runs)
    {
        var directory = Directory.CreateTempSubdirectory("traceviewer-bench-study-scale-");
        try
        {
            var path = Path.Combine(directory.FullName, "bench.db");
            // A study written by an earlier run (a copy of its file, e.g. with sqlite3's .backup) can be given to
            // measure the large size again without writing it: STUDY_SCALE_DATABASE=/path/to/study.db.
            var reuse = large && Environment.GetEnvironmentVariable("STUDY_SCALE_DATABASE") is { Length: > 0 } given ? given : null;
            if (reuse is not null)
            {
                File.Copy(reuse, path);
            }

            await using var factory = new AppOnFile(path);
            using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            client.Timeout = TimeSpan.FromMinutes(10);
            var watch = Stopwatch.StartNew();
            var middle = reuse is null
                ? await GenerateAsync(factory.Services, async (datasets, outcome) => await SqliteStudyWriter.OpenAsync(path, datasets, outcome), count, sentences, resamples)
                : await MiddleAsync(path, count);
            var written = watch.Elapsed;
            watch.Restart();
            if (reuse is null)
            {
                await BuildShownEffectsAsync(factory.Services);
            }

            // STUDY_SCALE_KEEP=/path/to/study.db keeps a copy of the large study just written, for STUDY_SCALE_DATABASE later.
            if (reuse is null && large && Environment.GetEnvironmentVariable("STUDY_SCALE_KEEP") is { Length: > 0 } keep)
            {
                await using var source = new SqliteConnection($"Data Source={path};Pooling=False");
                await using var copy = new SqliteConnection($"Data Source={keep};Pooling=False");
                await source.OpenAsync();
                await copy.OpenAsync();
                source.BackupDatabase(copy);
                Console.WriteLine($"kept a copy of the study in {keep}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{count} traces x {sentences} sentences x {resamples} resamples per position: {(reuse is null ? "" : "copied from " + reuse + ", ")}written in {written.TotalSeconds:F1} s, shown effects built in {watch.Elapsed.TotalSeconds:F1} s, file {new FileInfo(path).Length / 1048576.0:F0} MB; load average {BenchPaths.LoadAverage()}"));
            return await MeasureAsync(client, middle, sentences, runs, null, count);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// A fresh database on the server, migrated by the app; the study written with binary COPY, the shown effects built
    /// once, then VACUUM ANALYZE (what autovacuum does to a table after many inserts, done now so that the planner knows
    /// the study's sizes); the pages measured, and each page's queries explained. The database is dropped afterwards.
    /// </summary>
    private static async Task<Dictionary<string, PageTiming>> PostgresHalfAsync(PostgresServer server, int count, int sentences, int resamples, int runs)
    {
        var database = "study_" + count.ToString(CultureInfo.InvariantCulture);
        var connection = server.ConnectionString(database);
        try
        {
            await using var factory = new AppOnPostgres(connection);
            using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            client.Timeout = TimeSpan.FromMinutes(10);
            var watch = Stopwatch.StartNew();
            var middle = await GenerateAsync(factory.Services, async (datasets, outcome) => await PostgresStudyWriter.OpenAsync(connection, datasets, outcome), count, sentences, resamples);
            var written = watch.Elapsed;
            watch.Restart();
            await BuildShownEffectsAsync(factory.Services);
            var effects = watch.Elapsed;
            watch.Restart();
            long size;
            await using (var maintenance = new NpgsqlConnection(connection))
            {
                await maintenance.OpenAsync();
                await using (var vacuum = new NpgsqlCommand("VACUUM ANALYZE", maintenance) { CommandTimeout = 0 })
                {
                    await vacuum.ExecuteNonQueryAsync();
                }

                await using var sizeOf = new NpgsqlCommand("SELECT pg_database_size(current_database())", maintenance);
                size = Convert.ToInt64(await sizeOf.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{count} traces x {sentences} sentences x {resamples} resamples per position on PostgreSQL: written in {written.TotalSeconds:F1} s, shown effects built in {effects.TotalSeconds:F1} s, VACUUM ANALYZE {watch.Elapsed.TotalSeconds:F1} s, database {size / 1048576.0:F0} MB; load average {BenchPaths.LoadAverage()}"));
            return await MeasureAsync(client, middle, sentences, runs, connection, count);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server.ConnectionString("postgres"));
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Every shown effect built once, as on upgrade.</summary>
    private static async Task BuildShownEffectsAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await SearchEffectsSync.RebuildAllAsync(db, CancellationToken.None);
        await transaction.CommitAsync();
    }

    /// <summary>
    /// Times every page; with a PostgreSQL connection, then catches each page's queries in one more request and explains
    /// them, printing their execution times and any sequential scan, the plans in full to a file in the temp folder.
    /// </summary>
    private static async Task<Dictionary<string, PageTiming>> MeasureAsync(HttpClient client, int middle, int sentences, int runs, string? postgres, int count)
    {
        var timings = new Dictionary<string, PageTiming>();
        var plans = new StringBuilder();
        foreach (var page in Pages)
        {
            var address = page.Replace("{mid}", middle.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{middle sentence}", (sentences / 2).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            var bytes = 0;
            async Task Get()
            {
                using var response = await client.GetAsync(address);
                response.EnsureSuccessStatusCode();
                bytes = (await response.Content.ReadAsByteArrayAsync()).Length;
            }

            var timing = await TimeAsync(runs, Get);
            QueryPlans.PageQueries? queries = null;
            if (postgres is not null)
            {
                queries = await QueryPlans.ExplainAsync(postgres, await QueryPlans.CatchAsync(Get));
                plans.AppendLine("==== " + address).AppendLine(queries.Plans);
            }

            timings[page] = new PageTiming(timing.Median, timing.P95, queries);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {address,-62} median {timing.Median,7:F1} ms  p95 {timing.P95,7:F1} ms  {bytes / 1024.0,7:F1} KB"));
            if (queries is not null)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"      {queries.Count} queries: execution {queries.Execution:F2} ms (slowest {queries.Slowest:F2} ms), planning {queries.Planning:F2} ms; sequential scans: {(queries.SeqScans.Count == 0 ? "none" : string.Join(", ", queries.SeqScans))}"));
            }
        }

        if (postgres is not null)
        {
            var file = Path.Combine(Path.GetTempPath(), $"study-scale-pg-plans-{count}.txt");
            await File.WriteAllTextAsync(file, plans.ToString());
            Console.WriteLine($"  plans of every page's queries: {file}");
        }

        return timings;
    }

    /// <summary>Adds the outcome and the datasets through the app's context, then writes the study; returns the id of a trace in the middle.</summary>
    private static async Task<int> GenerateAsync(IServiceProvider services, Func<int[], int, Task<IStudyWriter>> open, int traces, int sentences, int resamples)
    {
        int outcomeId;
        var datasetIds = new int[Datasets];
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
            var outcome = await db.GetOrAddAsync(OutcomeRegistry.IsCorrect, CancellationToken.None);
            await db.SaveChangesAsync();
            outcomeId = outcome.Id;
            for (var d = 0; d < Datasets; d++)
            {
                var dataset = new Dataset { Key = $"d{d}", Name = $"Generated dataset {d}", Model = $"m{d}", Kind = DatasetKind.Math, SourceFormat = "bench", PrimaryOutcomeId = outcomeId };
                db.Add(dataset);
                await db.SaveChangesAsync();
                datasetIds[d] = dataset.Id;
            }
        }

        var generator = new StudyGenerator(sentences, resamples, Datasets);
        var middle = 0;
        var watch = Stopwatch.StartNew();
        await using var writer = await open(datasetIds, outcomeId);
        for (var i = 0; i < traces; i++)
        {
            var id = await writer.WriteAsync(generator.Next());
            middle = i == traces / 2 ? id : middle;
            if (traces >= 500 && (i + 1) % (traces / 10) == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {i + 1} traces written, {watch.Elapsed.TotalSeconds:F0} s, load average {BenchPaths.LoadAverage()}"));
            }
        }

        await writer.CompleteAsync();
        return middle;
    }

    private static async Task<int> MiddleAsync(string path, int traces)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Id\" FROM \"Trace\" ORDER BY \"Id\" LIMIT 1 OFFSET " + (traces / 2).ToString(CultureInfo.InvariantCulture);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<(double Median, double P95)> TimeAsync(int runs, Func<Task> action)
    {
        var times = await Timing.SortedAsync(WarmUp, runs, action);
        return (Timing.Median(times), Timing.Percentile(times, 0.95));
    }
}
