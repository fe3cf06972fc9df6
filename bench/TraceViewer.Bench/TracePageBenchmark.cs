using System.Diagnostics;
using Trace = TraceViewer.Traces.Trace;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Import;
using TraceViewer.MetricSets;
using TraceViewer.Outcomes;
using TraceViewer.Resampling;
using TraceViewer.Statistics;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Bench;

/// <summary>
/// Server time and size of the prerendered <c>GET /traces/{id}</c> and its deep link for a 150-sentence trace with 100 labelled resamples per position
/// and an imported metric set, on a SQLite file. Requests go through the real app's middleware pipeline in process
/// (WebApplicationFactory's TestServer), so the time is the server's render time without socket overhead.
/// </summary>
internal static partial class TracePageBenchmark
{
    internal const int Sentences = 150;

    /// <summary>Function tags as the importer stores them: one on even sentences, two on odd ones.</summary>
    private static readonly string[] EvenTags = ["active_computation"];

    private static readonly string[] OddTags = ["plan_generation", "uncertainty_management"];

    internal const int ResamplesPerPosition = 100;
    private const int WarmUp = 30;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 200;
        // A console app gets no test content-root attribute, so point the factory at the app's project folder.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", FindAppFolder());
        var directory = Directory.CreateTempSubdirectory("traceviewer-bench-");
        try
        {
            await using (var factory = new AppOnFile(Path.Combine(directory.FullName, "bench.db")))
            {
                var seed = Stopwatch.StartNew();
                var traceId = await SeedAsync(factory.Services);
                Console.WriteLine($"seeded 1 trace, {Sentences} sentences, {Sentences * ResamplesPerPosition} resamples with labels in {seed.Elapsed.TotalSeconds:F1} s (not included below)");
                using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

                Console.WriteLine($"in-process TestServer (no sockets), SQLite file, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
                var page = await MeasureAsync(client, $"/traces/{traceId}", runs);
                await MeasureQueriesAsync(factory.Services, traceId, runs);
                var deepLink = await MeasureAsync(client, $"/traces/{traceId}/sentences/{Sentences / 2}", runs);

                var own = 0;
                foreach (var asset in new[] { "/js/trace-deep-link.js", "/Traces/TracePage.razor.js", "/css/site.css", "/TraceViewer.styles.css" })
                {
                    own += (await client.GetByteArrayAsync(asset)).Length;
                }

                foreach (var (name, html) in new[] { ("trace", page), ("deep link", deepLink) })
                {
                    var state = PersistedState().Match(html).Groups[1].Value;
                    Console.WriteLine(
                        $"{name} page bytes: HTML {Kb(Encoding.UTF8.GetByteCount(html))}, of which the state carried into the circuit {Kb(Encoding.UTF8.GetByteCount(state))}");
                }

                Console.WriteLine($"own JS+CSS {Kb(own)} (cacheable; MudBlazor, blazor.web.js, plotly and KaTeX excluded); the curve's data reaches the browser over the circuit");
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<string> MeasureAsync(HttpClient client, string path, int runs)
    {
        var body = "";
        for (var i = 0; i < WarmUp; i++)
        {
            body = await GetAsync(client, path);
        }

        // Wall time depends on what else the machine runs; the process's CPU time per request does much less.
        var times = new double[runs];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            body = await GetAsync(client, path);
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        var cpuPerRequest = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / runs;
        Array.Sort(times);
        Console.WriteLine(
            $"GET {path}: median {times[runs / 2]:F2} ms, p90 {times[(int)(runs * 0.9)]:F2} ms, min {times[0]:F2} ms, max {times[^1]:F2} ms, " +
            $"CPU {cpuPerRequest:F2} ms/request ({runs} requests, {Kb(Encoding.UTF8.GetByteCount(body))})");
        return body;
    }

    /// <summary>The page's database work alone, so the rest of the request time is rendering and the pipeline.</summary>
    private static async Task MeasureQueriesAsync(IServiceProvider services, int traceId, int runs)
    {
        var times = new double[runs];
        for (var i = -WarmUp; i < runs; i++)
        {
            using var scope = services.CreateScope();
            var queries = scope.ServiceProvider.GetRequiredService<TraceQueries>();
            var watch = Stopwatch.StartNew();
            _ = await queries.GetTraceAsync(traceId, CancellationToken.None) ?? throw new InvalidOperationException("trace missing");
            if (i >= 0)
            {
                times[i] = watch.Elapsed.TotalMilliseconds;
            }
        }

        Array.Sort(times);
        Console.WriteLine($"  of which TraceQueries.GetTraceAsync: median {times[runs / 2]:F2} ms, p90 {times[(int)(runs * 0.9)]:F2} ms");

        for (var i = -WarmUp; i < runs; i++)
        {
            using var scope = services.CreateScope();
            var queries = scope.ServiceProvider.GetRequiredService<TraceQueries>();
            var watch = Stopwatch.StartNew();
            _ = await queries.GetSentenceResamplesAsync(traceId, Sentences / 2, "Step", CancellationToken.None);
            if (i >= 0)
            {
                times[i] = watch.Elapsed.TotalMilliseconds;
            }
        }

        Array.Sort(times);
        Console.WriteLine($"  and TraceQueries.GetSentenceResamplesAsync (the selected sentence's resamples and links): median {times[runs / 2]:F2} ms, p90 {times[(int)(runs * 0.9)]:F2} ms");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static async Task<string> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    internal static string FindAppFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "src", "TraceViewer");
            if (File.Exists(Path.Combine(candidate, "TraceViewer.csproj")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("src/TraceViewer not found above " + AppContext.BaseDirectory);
    }

    private static string Kb(int bytes) => $"{bytes / 1024.0:F1} KB";

    [GeneratedRegex("<!--Blazor-Server-Component-State:(.*?)-->", RegexOptions.Singleline)]
    private static partial Regex PersistedState();

    /// <summary>What an import of a rollout tree writes: sentences with tags, labelled resamples with continuations, a base label and imported metrics.</summary>
    internal static async Task<int> SeedAsync(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var random = new Random(11);
        var outcome = await db.GetOrAddAsync(OutcomeRegistry.IsCorrect, CancellationToken.None);
        await db.SaveChangesAsync();

        var dataset = new Dataset
        {
            Key = "bench/model/correct_base_solution", Name = "Benchmark problems", Model = "bench-model", Kind = TraceViewer.Datasets.DatasetKind.Math,
            SourceFormat = "rollout-tree", PrimaryOutcomeId = outcome.Id, CreatedAt = now,
        };
        var sentences = new List<Sentence>(Sentences);
        var reasoning = new StringBuilder();
        for (var k = 0; k < Sentences; k++)
        {
            var text = $"Step {k}: so the next term follows from the previous one by {Words(random, 12)}.";
            var separator = k == Sentences - 1 ? "" : k % 4 == 3 ? "\n\n" : " ";
            var start = reasoning.Length;
            reasoning.Append(text);
            sentences.Add(new Sentence
            {
                Index = k, Text = text, Separator = separator, Start = start, End = reasoning.Length,
                Summary = $"step {k}",
            });
            reasoning.Append(separator);
        }

        var trace = new Trace
        {
            ExternalKey = "bench-problem", Title = "Benchmark problem", Prompt = "Find the sum of " + Words(random, 60),
            Response = reasoning + "\n\nThe answer is 42.", Reasoning = reasoning.ToString(), Model = dataset.Model,
            SourcePath = "problem_1/chunk_0/solutions.json", SourceFormat = dataset.SourceFormat, HasLabelledResamples = true,
            SentenceCount = Sentences, ResampleCount = Sentences * ResamplesPerPosition, ImportedAt = now,
            Dataset = dataset, Sentences = sentences,
        };
        db.Add(trace);
        await db.SaveChangesAsync();
        await TagStore.AddTagsAsync(db, BuiltInTaxonomies.Functions,
            [.. sentences.SelectMany(s => (s.Index % 2 == 0 ? EvenTags : OddTags).Select(t => (s.Id, t)))],
            AnnotatorKind.Import, dataset.SourceFormat, now, CancellationToken.None);
        db.Add(new TraceLabel { TraceId = trace.Id, OutcomeId = outcome.Id, Value = "true", IsPositive = true });

        var successes = new int[Sentences];
        var resamples = new List<Resample>(Sentences * ResamplesPerPosition);
        for (var i = 0; i < Sentences; i++)
        {
            var rate = 0.2 + 0.6 * i / Sentences;
            for (var j = 0; j < ResamplesPerPosition; j++)
            {
                var positive = random.NextDouble() < rate;
                successes[i] += positive ? 1 : 0;
                resamples.Add(new Resample
                {
                    TraceId = trace.Id, Position = i, SampleIndex = j, Origin = TraceViewer.Resampling.ResampleOrigin.Imported, CreatedAt = now,
                    FirstSentence = $"Variant {random.Next(8)} of step {i}.",
                    Continuation = Words(random, 120), Answer = positive ? "42" : random.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Labels = [new ResampleLabel { OutcomeId = outcome.Id, Value = positive ? "true" : "false", IsPositive = positive }],
                });
            }
        }

        // As the importer does: the many rows through prepared bulk inserts rather than the change tracker.
        await BulkInsert.InsertAsync(db, resamples, (r, id) => r.Id = id, CancellationToken.None);
        await BulkInsert.InsertAsync(db, [.. resamples.SelectMany(r => r.Labels.Select(l => { l.ResampleId = r.Id; return l; }))], null, CancellationToken.None);

        var metrics = new List<SentenceMetric>();
        for (var k = 0; k < Sentences; k++)
        {
            var interval = Wilson.Interval(successes[k], ResamplesPerPosition);
            var effect = k + 1 < Sentences ? (successes[k + 1] - successes[k]) / (double)ResamplesPerPosition : 0;
            metrics.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.PrefixRate, Value = successes[k] / (double)ResamplesPerPosition, Count = ResamplesPerPosition, Successes = successes[k], Low = interval.Low, High = interval.High });
            metrics.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.ResamplingEffect, Value = effect });
            metrics.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.CounterfactualEffect, Value = effect * 1.3 });
            metrics.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.ResamplingKl, Value = Math.Abs(effect) * 2 });
            metrics.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.CounterfactualKl, Value = Math.Abs(effect) * 3 });
            metrics.Add(new SentenceMetric { SentenceIndex = k, Name = MetricNames.DissimilarFraction, Value = random.NextDouble() });
        }

        trace.MaxImportance = metrics.Where(m => m.Name == MetricNames.CounterfactualEffect).Max(m => Math.Abs(m.Value));
        db.Add(new MetricSet
        {
            TraceId = trace.Id, OutcomeId = outcome.Id, Source = MetricSource.Imported, SourceFile = "chunks_labeled.json",
            Threshold = 0.8, EmbeddingModel = "all-MiniLM-L6-v2", ResampleCount = trace.ResampleCount, ComputedAt = now, Values = metrics,
        });
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return trace.Id;
    }

    private static string Words(Random random, int count)
    {
        string[] words = ["the", "sum", "of", "terms", "therefore", "we", "check", "each", "factor", "again", "carefully", "modulo", "seven"];
        return string.Join(' ', Enumerable.Range(0, count).Select(_ => words[random.Next(words.Length)]));
    }
}
