using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Search;
using TraceViewer.Traces;
using Trace = TraceViewer.Traces.Trace;

namespace TraceViewer.Bench;

/// <summary>
/// Sentence search on a generated study against the same search on 20 traces: the search's queries alone and the
/// prerendered /search page, median and p95, with words and without. Sentences are drawn from a fixed vocabulary with
/// a Zipf-like spread, so some words are in most sentences and some in few; every trace has one metric set.
/// </summary>
internal static class SearchScaleBenchmark
{
    private const int WarmUp = 5;
    private const int Small = 20;

    private static readonly string[] Searches =
    [
        "text=the",
        "text=word7",
        "text=word900+word3",
        "outcome=is_correct",
        "outcome=is_correct&direction=promotes&min=0.3",
        "outcome=is_correct&effect=kl&page=3",
        "text=word7&outcome=is_correct",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var traces = args.Length > 0 && int.TryParse(args[0], out var t) ? t : 500;
        var sentences = args.Length > 1 && int.TryParse(args[1], out var s) ? s : 150;
        var runs = args.Length > 2 && int.TryParse(args[2], out var r) ? r : 40;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", BenchPaths.AppFolder());
        Console.WriteLine($"{Environment.ProcessorCount} cores, load average {BenchPaths.LoadAverage()}, {runs} runs each after {WarmUp} warm-up runs");
        foreach (var count in new[] { Small, traces })
        {
            var directory = Directory.CreateTempSubdirectory("traceviewer-bench-search-scale-");
            try
            {
                await using var factory = new AppOnFile(Path.Combine(directory.FullName, "bench.db"));
                using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
                var watch = Stopwatch.StartNew();
                await GenerateAsync(factory.Services, count, sentences);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{count} traces x {sentences} sentences generated in {watch.Elapsed.TotalSeconds:F1} s (shown effects kept by the saves)"));
                watch.Restart();
                await using (var scope = factory.Services.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
                    await using var transaction = await db.Database.BeginTransactionAsync();
                    await SearchEffectsSync.RebuildAllAsync(db, CancellationToken.None);
                    await transaction.CommitAsync();
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  rebuilding every shown effect (as on upgrade): {watch.Elapsed.TotalSeconds:F1} s"));
                await MeasureAllAsync(factory.Services, client, runs);
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                directory.Delete(recursive: true);
            }
        }

        return 0;
    }

    private static async Task GenerateAsync(IServiceProvider services, int traces, int sentences)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var outcome = await db.GetOrAddAsync(OutcomeRegistry.IsCorrect, CancellationToken.None);
        var dataset = new Dataset { Key = "generated", Name = "Generated study", Model = "m", Kind = TraceViewer.Datasets.DatasetKind.Math, SourceFormat = "bench" };
        db.Add(dataset);
        await db.SaveChangesAsync();
        var random = new Random(36);
        for (var first = 0; first < traces; first += 10)
        {
            for (var i = first; i < Math.Min(traces, first + 10); i++)
            {
                var trace = new Trace
                {
                    DatasetId = dataset.Id, ExternalKey = $"t{i}", Title = $"Generated trace {i}", Model = "m", SourceFormat = "bench",
                    SentenceCount = sentences,
                    Sentences = [.. Enumerable.Range(0, sentences).Select(k => new Sentence { Index = k, Text = Sentence(random) })],
                };
                db.Add(trace);
                await db.SaveChangesAsync();
                var set = new MetricSet { TraceId = trace.Id, OutcomeId = outcome.Id, Source = MetricSource.Imported, Threshold = 0.8, ComputedAt = DateTimeOffset.UnixEpoch };
                for (var k = 0; k < sentences; k++)
                {
                    var cf = Math.Round(random.NextDouble() * 2 - 1, 3);
                    set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.CounterfactualEffect, Value = cf, Low = cf - 0.1, High = cf + 0.1 });
                    set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.ResamplingEffect, Value = cf / 2 });
                    set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.DissimilarFraction, Value = random.NextDouble() });
                    set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.CounterfactualKl, Value = Math.Abs(cf) * 2 });
                    set.Values.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.ResamplingKl, Value = Math.Abs(cf) });
                }

                db.Add(set);
            }

            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Eight to twenty words: "the" and "so" often, then word0..word999 with falling frequency.</summary>
    internal static string Sentence(Random random)
    {
        var words = new List<string>();
        var length = random.Next(8, 21);
        for (var w = 0; w < length; w++)
        {
            var u = random.NextDouble();
            words.Add(u < 0.1 ? "the" : u < 0.13 ? "so" : "word" + (int)(Math.Pow(1000, random.NextDouble()) - 1));
        }

        return string.Join(' ', words) + ".";
    }

    private static async Task MeasureAllAsync(IServiceProvider services, HttpClient client, int runs)
    {
        foreach (var search in Searches)
        {
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(search);
            string? Get(string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;
            var filter = SentenceSearchFilter.FromQuery(Get("dataset"), Get("text"), Get("tag"), Get("outcome"), Get("direction"), Get("min"), Get("effect"), Get("page"));
            var total = 0;
            var queries = await TimeAsync(runs, async () =>
            {
                await using var scope = services.CreateAsyncScope();
                total = (await scope.ServiceProvider.GetRequiredService<SearchQueries>().FindAsync(filter, CancellationToken.None)).Total;
            });
            var page = await TimeAsync(runs, async () =>
            {
                using var response = await client.GetAsync("/search?" + search);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  /search?{search,-46} {total,7} hits  queries median {queries.Median,7:F1} ms p95 {queries.P95,7:F1} ms   page median {page.Median,7:F1} ms p95 {page.P95,7:F1} ms"));
        }
    }

    private static async Task<(double Median, double P95)> TimeAsync(int runs, Func<Task> action)
    {
        var times = await Timing.SortedAsync(WarmUp, runs, action);
        return (Timing.Median(times), Timing.Percentile(times, 0.95));
    }
}
