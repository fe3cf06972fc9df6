using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Search;

namespace TraceViewer.Bench;

/// <summary>
/// The study-scale reads: /search (text, outcome, direction, minimum effect), /traces filtered and sorted, /datasets and
/// a trace page, each timed as the prerendered page through the real app, on a generated study of 20 traces and on one
/// of many (default 2,000 x 150 sentences x 20 labelled resamples per position, in four datasets), median and p95, with
/// the ratios large / small. The study is written with prepared inserts in one transaction on the app's SQLite file
/// (the full-text index kept by its triggers), then every shown effect is built once, as on upgrade.
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
        "/datasets",
        "/traces/{mid}/sentences/{middle sentence}",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var traces = args.Length > 0 && int.TryParse(args[0], out var t) ? t : 2000;
        var sentences = args.Length > 1 && int.TryParse(args[1], out var s) ? s : 150;
        var resamples = args.Length > 2 && int.TryParse(args[2], out var r) ? r : 20;
        var runs = args.Length > 3 && int.TryParse(args[3], out var n) ? n : 40;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", BenchPaths.AppFolder());
        Console.WriteLine($"{Environment.ProcessorCount} cores, load average {BenchPaths.LoadAverage()} at the start, {runs} runs each after {WarmUp} warm-up runs");
        var results = new Dictionary<int, Dictionary<string, (double Median, double P95)>>();
        foreach (var count in new[] { Small, traces })
        {
            var directory = Directory.CreateTempSubdirectory("traceviewer-bench-study-scale-");
            try
            {
                var path = Path.Combine(directory.FullName, "bench.db");
                // A study written by an earlier run (a copy of its file, e.g. with sqlite3's .backup) can be given to
                // measure the large size again without writing it: STUDY_SCALE_DATABASE=/path/to/study.db.
                var reuse = count == traces && Environment.GetEnvironmentVariable("STUDY_SCALE_DATABASE") is { Length: > 0 } given ? given : null;
                if (reuse is not null)
                {
                    File.Copy(reuse, path);
                }

                await using var factory = new AppOnFile(path);
                using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
                client.Timeout = TimeSpan.FromMinutes(10);
                var watch = Stopwatch.StartNew();
                var middle = reuse is null ? await GenerateAsync(factory.Services, path, count, sentences, resamples) : await MiddleAsync(path, count);
                var written = watch.Elapsed;
                watch.Restart();
                if (reuse is null)
                {
                    await using var scope = factory.Services.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
                    await using var transaction = await db.Database.BeginTransactionAsync();
                    await SearchEffectsSync.RebuildAllAsync(db, CancellationToken.None);
                    await transaction.CommitAsync();
                }

                // STUDY_SCALE_KEEP=/path/to/study.db keeps a copy of the large study just written, for STUDY_SCALE_DATABASE later.
                if (reuse is null && count == traces && Environment.GetEnvironmentVariable("STUDY_SCALE_KEEP") is { Length: > 0 } keep)
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
                var timings = new Dictionary<string, (double, double)>();
                foreach (var page in Pages)
                {
                    var address = page.Replace("{mid}", middle.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                        .Replace("{middle sentence}", (sentences / 2).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
                    var bytes = 0;
                    var timing = await TimeAsync(runs, async () =>
                    {
                        using var response = await client.GetAsync(address);
                        response.EnsureSuccessStatusCode();
                        bytes = (await response.Content.ReadAsByteArrayAsync()).Length;
                    });
                    timings[page] = timing;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {address,-62} median {timing.Median,7:F1} ms  p95 {timing.P95,7:F1} ms  {bytes / 1024.0,7:F1} KB"));
                }

                results[count] = timings;
                Console.WriteLine($"  load average {BenchPaths.LoadAverage()} at the end of {count}");
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                directory.Delete(recursive: true);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| Page | {Small} traces: median / p95 ms | {traces} traces: median / p95 ms | ratio median / p95 |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var page in Pages)
        {
            var (a, b) = (results[Small][page], results[traces][page]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| `{page}` | {a.Median:F1} / {a.P95:F1} | {b.Median:F1} / {b.P95:F1} | {b.Median / a.Median:F2} / {b.P95 / a.P95:F2} |"));
        }

        return 0;
    }

    /// <summary>Writes the study; returns the id of a trace in the middle.</summary>
    private static async Task<int> GenerateAsync(IServiceProvider services, string path, int traces, int sentences, int resamples)
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

        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = OFF;";
            await pragma.ExecuteNonQueryAsync();
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        const string When = "2026-01-01 00:00:00+00:00";
        var trace = Prepare(connection, transaction, """
            INSERT INTO "Trace" ("DatasetId","ExternalKey","Title","Prompt","Response","Reasoning","Model","SourceFormat","HasLabelledResamples","MaxImportance","SentenceCount","ResampleCount","ImportedAt")
            VALUES ($d,$k,$t,'Solve the generated problem.','42',$r,$m,'bench',1,$mi,$sc,$rc,'2026-01-01 00:00:00+00:00') RETURNING "Id"
            """, "$d", "$k", "$t", "$r", "$m", "$mi", "$sc", "$rc");
        var label = Prepare(connection, transaction, """INSERT INTO "TraceLabel" ("TraceId","OutcomeId","Value","IsPositive") VALUES ($t,$o,$v,$p)""", "$t", "$o", "$v", "$p");
        var sentence = Prepare(connection, transaction, """INSERT INTO "Sentence" ("TraceId","Index","Text","Separator","Start","End") VALUES ($t,$i,$x,' ',0,0)""", "$t", "$i", "$x");
        var set = Prepare(connection, transaction, """
            INSERT INTO "MetricSet" ("TraceId","OutcomeId","Source","Threshold","ResampleCount","ComputedAt") VALUES ($t,$o,'Imported',0.8,$rc,'2026-01-01 00:00:00+00:00') RETURNING "Id"
            """, "$t", "$o", "$rc");
        var value = Prepare(connection, transaction, """
            INSERT INTO "SentenceMetric" ("MetricSetId","SentenceIndex","Name","Value","Low","High","Negated") VALUES ($s,$i,$n,$v,$l,$h,0)
            """, "$s", "$i", "$n", "$v", "$l", "$h");
        var resample = Prepare(connection, transaction, $"""
            INSERT INTO "Resample" ("TraceId","Position","SampleIndex","FirstSentence","Continuation","FinalOutput","Answer","Origin","CreatedAt")
            VALUES ($t,$p,$i,$f,$c,$a,$a,'imported','{When}') RETURNING "Id"
            """, "$t", "$p", "$i", "$f", "$c", "$a");
        var resampleLabel = Prepare(connection, transaction, """INSERT INTO "ResampleLabel" ("ResampleId","OutcomeId","Value","IsPositive") VALUES ($r,$o,$v,$p)""", "$r", "$o", "$v", "$p");

        var random = new Random(2000);
        var middle = 0;
        var texts = new string[sentences];
        for (var i = 0; i < traces; i++)
        {
            for (var k = 0; k < sentences; k++)
            {
                texts[k] = SearchScaleBenchmark.Sentence(random);
            }

            var d = i % Datasets;
            var traceId = Convert.ToInt32(Run(trace, datasetIds[d], $"t{i}", $"Generated trace {i}", string.Join(' ', texts), $"m{d}",
                Math.Round(random.NextDouble(), 3), sentences, sentences * resamples), CultureInfo.InvariantCulture);
            middle = i == traces / 2 ? traceId : middle;
            var correct = random.NextDouble() < 0.6;
            Run(label, traceId, outcomeId, correct ? "42" : "41", correct);
            for (var k = 0; k < sentences; k++)
            {
                Run(sentence, traceId, k, texts[k]);
            }

            var setId = Convert.ToInt32(Run(set, traceId, outcomeId, sentences * resamples), CultureInfo.InvariantCulture);
            for (var k = 0; k < sentences; k++)
            {
                var cf = Math.Round(random.NextDouble() * 2 - 1, 3);
                Run(value, setId, k, MetricNames.CounterfactualEffect, cf, cf - 0.1, cf + 0.1);
                Run(value, setId, k, MetricNames.ResamplingEffect, cf / 2, null, null);
                Run(value, setId, k, MetricNames.DissimilarFraction, random.NextDouble(), null, null);
                Run(value, setId, k, MetricNames.CounterfactualKl, Math.Abs(cf) * 2, null, null);
                Run(value, setId, k, MetricNames.ResamplingKl, Math.Abs(cf), null, null);
                Run(value, setId, k, MetricNames.PrefixRate, random.NextDouble(), null, null);
                for (var j = 0; j < resamples; j++)
                {
                    var right = random.NextDouble() < 0.6;
                    var answer = right ? "42" : "41";
                    var id = Run(resample, traceId, k, j, $"Alternative {j % 3} at {k}.", "word1 word2 the word3 so word4.", answer);
                    Run(resampleLabel, id, outcomeId, answer, right);
                }
            }
        }

        await transaction.CommitAsync();
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

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
        }

        command.Prepare();
        return command;
    }

    private static object? Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command.ExecuteScalar();
    }

    private static async Task<(double Median, double P95)> TimeAsync(int runs, Func<Task> action)
    {
        var times = await Timing.SortedAsync(WarmUp, runs, action);
        return (Timing.Median(times), Timing.Percentile(times, 0.95));
    }
}
