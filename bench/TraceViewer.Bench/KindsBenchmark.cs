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
using TraceViewer.Traces;
using Trace = TraceViewer.Traces.Trace;

namespace TraceViewer.Bench;

/// <summary>
/// "Which kinds of sentences matter" on a synthetic 500-trace study (150 sentences each) written into a SQLite file:
/// imported and computed metric sets (the shown one is the computed set where a trace has both), imported function
/// tags on every sentence and two people's tags on 100 traces each. Times the page's reads and statistics alone
/// (queries + 2,000-replicate bootstrap) and the prerendered page and API in process. Target: at most 1 s.
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
                var reads = await TimeAsync(runs, async () =>
                {
                    cache.Clear();
                    await using var scope = factory.Services.CreateAsyncScope();
                    var view = await scope.ServiceProvider.GetRequiredService<KindsQueries>().LoadAsync(request, CancellationToken.None);
                    sentences = view.Basis?.Sentences ?? 0;
                });
                var api = await TimeAsync(runs, async () =>
                {
                    cache.Clear();
                    using var response = await client.GetAsync("/api/kinds?" + query);
                    response.EnsureSuccessStatusCode();
                });
                var bytes = 0;
                var page = await TimeAsync(runs, async () =>
                {
                    cache.Clear();
                    using var response = await client.GetAsync("/kinds?" + query + (query.Length == 0 ? "" : "&") + "tag=plan_generation");
                    response.EnsureSuccessStatusCode();
                    bytes = (await response.Content.ReadAsByteArrayAsync()).Length;
                });
                // The same page again with another tag open: the numbers come from the cache.
                var other = await TimeAsync(runs, async () =>
                {
                    using var response = await client.GetAsync("/kinds?" + query + (query.Length == 0 ? "" : "&") + "tag=self_checking");
                    response.EnsureSuccessStatusCode();
                });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  kinds?{query,-22} {sentences,6} sentences  reads+statistics median {reads.Median,6:F0} ms p90 {reads.P90,6:F0} ms   api median {api.Median,6:F0} ms   page (tag open) median {page.Median,6:F0} ms p90 {page.P90,6:F0} ms  {bytes / 1024.0,6:F0} KB   another tag (cached) median {other.Median,6:F0} ms   load average {BenchPaths.LoadAverage()}"));
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<(double Median, double P90)> TimeAsync(int runs, Func<Task> action)
    {
        var times = await Timing.SortedAsync(WarmUp, runs, action);
        return (Timing.Median(times), times[(int)(runs * 0.9)]);
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
