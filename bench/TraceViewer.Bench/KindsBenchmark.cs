using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Import;
using TraceViewer.Kinds;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Search;
using TraceViewer.Tags;
using TraceViewer.Telemetry;
using TraceViewer.Traces;
using Trace = TraceViewer.Traces.Trace;

namespace TraceViewer.Bench;

/// <summary>
/// "Which kinds of sentences matter" on a synthetic 500-trace study (150 sentences each) written into a SQLite file:
/// imported and computed metric sets (the shown one is the computed set where a trace has both), imported function
/// tags on every sentence and two people's tags on 100 traces each. Times the page's reads and statistics alone
/// (queries + 2,000-replicate bootstrap) and the prerendered page and API in process. Target: at most 1 s. With
/// <c>phases</c> after the file, also the median time of each step of a first load (the page's <c>kinds.*</c> spans), for
/// the reads alone and within the API request, and the rest of the request outside those steps.
/// </summary>
internal static class KindsBenchmark
{
    private const int WarmUp = 3;

    private const int SentencesPerTrace = 150;

    private static readonly string[] Functions =
        ["problem_setup", "plan_generation", "fact_retrieval", "active_computation", "uncertainty_management", "result_consolidation", "self_checking", "final_answer_emission"];

    public static async Task<int> RunAsync(string[] args)
    {
        var traces = args.Length > 0 && int.TryParse(args[0], out var t) ? t : 500;
        var runs = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 15;
        // A database file named here is kept, and used again as it is when it exists, so builds can be compared on the
        // same rows without seeding each time.
        var kept = args.Length > 2 ? Path.GetFullPath(args[2]) : null;
        using var phases = args.Length > 3 && args[3] == "phases" ? new PhaseListener() : null;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", BenchPaths.AppFolder());
        var directory = Directory.CreateTempSubdirectory("traceviewer-bench-kinds-");
        try
        {
            var file = kept ?? Path.Combine(directory.FullName, "bench.db");
            var seeded = kept is not null && File.Exists(kept);
            await using var factory = new AppOnFile(file);
            using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            Console.WriteLine($"{Environment.ProcessorCount} cores, load average {BenchPaths.LoadAverage()}, {runs} runs each after {WarmUp} warm-up runs");
            if (seeded)
            {
                Console.WriteLine($"using the rows already in {file}");
            }
            else
            {
                var seeding = Stopwatch.StartNew();
                await SeedAsync(factory.Services, traces);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"seeded {traces} traces x {SentencesPerTrace} sentences in {seeding.Elapsed.TotalSeconds:F1} s ({new FileInfo(file).Length / 1048576.0:F0} MB)"));
            }

            foreach (var query in new[] { "", "layer=consensus", "effect=kl&k=5", "layer=Person%3Aalice" })
            {
                var parsed = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query);
                string? Get(string name) => parsed.TryGetValue(name, out var v) ? v.ToString() : null;
                var request = new KindsRequest([], Get("outcome"), Get("effect"), Get("taxonomy"), Get("layer"), Get("k") is { } k ? int.Parse(k, CultureInfo.InvariantCulture) : null);
                var sentences = 0;
                var cache = factory.Services.GetRequiredService<KindsCache>();
                phases?.Clear();
                var reads = await TimeAsync(runs, phases, async () =>
                {
                    cache.Clear();
                    await using var scope = factory.Services.CreateAsyncScope();
                    var view = await scope.ServiceProvider.GetRequiredService<KindsQueries>().LoadAsync(request, CancellationToken.None);
                    sentences = view.Basis?.Sentences ?? 0;
                });
                var readPhases = phases?.Runs();
                var api = await TimeAsync(runs, phases, async () =>
                {
                    cache.Clear();
                    using var response = await client.GetAsync("/api/kinds?" + query);
                    response.EnsureSuccessStatusCode();
                });
                var apiPhases = phases?.Runs();
                var bytes = 0;
                var page = await TimeAsync(runs, null, async () =>
                {
                    cache.Clear();
                    using var response = await client.GetAsync("/kinds?" + query + (query.Length == 0 ? "" : "&") + "tag=plan_generation");
                    response.EnsureSuccessStatusCode();
                    bytes = (await response.Content.ReadAsByteArrayAsync()).Length;
                });
                // The same page again with another tag open: the numbers come from the cache.
                var other = await TimeAsync(runs, null, async () =>
                {
                    using var response = await client.GetAsync("/kinds?" + query + (query.Length == 0 ? "" : "&") + "tag=self_checking");
                    response.EnsureSuccessStatusCode();
                });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  kinds?{query,-22} {sentences,6} sentences  reads+statistics median {reads.Median,6:F0} ms p90 {reads.P90,6:F0} ms   api median {api.Median,6:F0} ms   page (tag open) median {page.Median,6:F0} ms p90 {page.P90,6:F0} ms  {bytes / 1024.0,6:F0} KB   another tag (cached) median {other.Median,6:F0} ms   load average {BenchPaths.LoadAverage()}"));
                if (readPhases is not null && apiPhases is not null)
                {
                    Console.WriteLine("    steps, median ms (reads alone / within the API):"
                        + string.Concat(PhaseListener.Names(readPhases).Select(n => string.Create(CultureInfo.InvariantCulture,
                            $" {n} {PhaseListener.Median(readPhases, n):F0} / {PhaseListener.Median(apiPhases, n):F0}")))
                        + string.Create(CultureInfo.InvariantCulture,
                            $"; outside the steps {PhaseListener.Median(readPhases, null):F0} / {PhaseListener.Median(apiPhases, null):F0}"));
                }
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<(double Median, double P90)> TimeAsync(int runs, PhaseListener? phases, Func<Task> action)
    {
        var done = 0;
        var times = await Timing.SortedAsync(WarmUp, runs, phases is null ? action : async () =>
        {
            var watch = Stopwatch.StartNew();
            await action();
            phases.EndRun(watch.Elapsed.TotalMilliseconds, counted: done++ >= WarmUp);
        });
        return (Timing.Median(times), times[(int)(runs * 0.9)]);
    }

    /// <summary>Adds up the page's step spans per run; a run's rest is its wall time less its steps.</summary>
    private sealed class PhaseListener : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentDictionary<string, double> _current = new();
        private readonly List<Dictionary<string, double>> _runs = [];

        public PhaseListener()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == AppTelemetry.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStopped = activity =>
                {
                    if (activity.OperationName.StartsWith(KindsPhases.Prefix, StringComparison.Ordinal))
                    {
                        var ms = activity.Duration.TotalMilliseconds;
                        _current.AddOrUpdate(activity.OperationName[KindsPhases.Prefix.Length..], ms, (_, sum) => sum + ms);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public void EndRun(double wallMs, bool counted)
        {
            var run = new Dictionary<string, double>(_current);
            _current.Clear();
            if (counted)
            {
                run[""] = wallMs - run.Values.Sum();
                _runs.Add(run);
            }
        }

        public void Clear() => _runs.Clear();

        public List<Dictionary<string, double>> Runs()
        {
            var runs = _runs.ToList();
            _runs.Clear();
            return runs;
        }

        public static IEnumerable<string> Names(List<Dictionary<string, double>> runs) =>
            runs.SelectMany(r => r.Keys).Where(k => k.Length > 0).Distinct()
                .OrderBy(k => Array.IndexOf(Order, k) is var i and >= 0 ? i : Order.Length).ThenBy(k => k, StringComparer.Ordinal);

        private static readonly string[] Order = ["stamp", "options", "sets", "effects", "tags", "table", "bootstrap", "view"];

        /// <summary>The median of one step over the runs (0 where a run lacks it); null names the rest.</summary>
        public static double Median(List<Dictionary<string, double>> runs, string? name)
        {
            var values = runs.Select(r => r.GetValueOrDefault(name ?? "")).Order().ToArray();
            return values.Length == 0 ? 0 : Timing.Median(values);
        }

        public void Dispose() => _listener.Dispose();
    }

    private static async Task SeedAsync(IServiceProvider services, int traces)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        var now = DateTimeOffset.UtcNow;
        var random = new Random(5);
        var outcome = await db.GetOrAddAsync(OutcomeRegistry.IsCorrect, CancellationToken.None);
        await db.SaveChangesAsync();
        var dataset = new Dataset
        {
            Key = "bench/kinds", Name = "Kinds benchmark", Model = "bench-model", Kind = TraceViewer.Datasets.DatasetKind.Math, SourceFormat = "bench",
            PrimaryOutcomeId = outcome.Id, CreatedAt = now,
        };
        db.Add(dataset);
        await db.SaveChangesAsync();
        var tagIds = await TagStore.EnsureTagsAsync(db, BuiltInTaxonomies.Functions, Functions, CancellationToken.None);

        await using var transaction = await db.Database.BeginTransactionAsync();
        for (var t = 0; t < traces; t++)
        {
            var sentences = Enumerable.Range(0, SentencesPerTrace).Select(k => new Sentence
            {
                Index = k, Text = $"Sentence {k} of problem {t}: the next step follows.", Start = k * 40, End = (k * 40) + 39, Separator = " ",
            }).ToList();
            var trace = new Trace
            {
                ExternalKey = $"bench-kinds-{t}", Title = $"Problem {t}", Prompt = "Solve it.", Response = "", Reasoning = "", Model = dataset.Model,
                SourceFormat = dataset.SourceFormat, SentenceCount = SentencesPerTrace, ImportedAt = now, DatasetId = dataset.Id, Sentences = sentences,
            };
            db.Add(trace);
            var sets = new List<MetricSet>
            {
                new() { OutcomeId = outcome.Id, Source = MetricSource.Imported, ComputedAt = now },
            };
            if (t % 2 == 0)
            {
                sets.Add(new MetricSet { OutcomeId = outcome.Id, Source = MetricSource.Computed, ComputedAt = now });
            }

            await db.SaveChangesAsync();
            foreach (var set in sets)
            {
                set.TraceId = trace.Id;
                db.Add(set);
            }

            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();

            var metrics = new List<SentenceMetric>(sets.Count * SentencesPerTrace * 5);
            foreach (var set in sets)
            {
                for (var k = 0; k < SentencesPerTrace; k++)
                {
                    var cf = Math.Round(random.NextDouble() - 0.5, 3);
                    var rs = Math.Round((random.NextDouble() - 0.5) / 2, 3);
                    metrics.Add(new SentenceMetric { MetricSetId = set.Id, SentenceIndex = k, Name = MetricNames.CounterfactualEffect, Value = cf });
                    metrics.Add(new SentenceMetric { MetricSetId = set.Id, SentenceIndex = k, Name = MetricNames.ResamplingEffect, Value = rs });
                    metrics.Add(new SentenceMetric { MetricSetId = set.Id, SentenceIndex = k, Name = MetricNames.DissimilarFraction, Value = k % 9 == 0 ? 0.02 : 0.6 });
                    metrics.Add(new SentenceMetric { MetricSetId = set.Id, SentenceIndex = k, Name = MetricNames.CounterfactualKl, Value = Math.Abs(cf) * 2 });
                    metrics.Add(new SentenceMetric { MetricSetId = set.Id, SentenceIndex = k, Name = MetricNames.ResamplingKl, Value = Math.Abs(rs) * 2 });
                }
            }

            await BulkInsert.InsertAsync(db, metrics, null, CancellationToken.None);
            // Written in bulk like the import, so the stored shown effects are refreshed the way the import does.
            await SearchEffectsSync.RefreshAsync(db, [trace.Id], CancellationToken.None);
            var tags = new List<SentenceTag>();
            foreach (var s in sentences)
            {
                var first = Functions[random.Next(Functions.Length)];
                tags.Add(Tag(s.Id, tagIds[first], AnnotatorKind.Import, "bench", now));
                if (random.Next(4) == 0)
                {
                    var second = Functions[random.Next(Functions.Length)];
                    if (second != first)
                    {
                        tags.Add(Tag(s.Id, tagIds[second], AnnotatorKind.Import, "bench", now));
                    }
                }

                foreach (var (person, from) in new[] { ("alice", 0), ("bob", 50) })
                {
                    if (t >= from && t < from + 100 && random.Next(3) > 0)
                    {
                        tags.Add(Tag(s.Id, tagIds[random.Next(2) == 0 ? first : Functions[random.Next(Functions.Length)]], AnnotatorKind.Person, person, now));
                    }
                }
            }

            await BulkInsert.InsertAsync(db, tags, null, CancellationToken.None);
        }

        await transaction.CommitAsync();
    }

    private static SentenceTag Tag(int sentenceId, int tagId, AnnotatorKind kind, string annotator, DateTimeOffset now) =>
        new() { SentenceId = sentenceId, TagId = tagId, AnnotatorKind = kind, Annotator = annotator, CreatedAt = now, UpdatedAt = now };
}
