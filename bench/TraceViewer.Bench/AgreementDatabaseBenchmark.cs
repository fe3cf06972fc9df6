using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Agreement;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Tags;
using TraceViewer.Traces;
using TagName = TraceViewer.Agreement.TagName;
using TagRow = TraceViewer.Agreement.TagRow;
using Trace = TraceViewer.Traces.Trace;

namespace TraceViewer.Bench;

/// <summary>
/// `agreement-db [items] [annotators]`: the agreement page's figures read from a SQLite file: items sentences (100 per
/// trace) tagged by each annotator with a ten-tag taxonomy, every tag with its pairs, Fleiss, alpha and 1,000-resample
/// intervals, through <see cref="AgreementQueries"/> (the query layer the page and <c>GET /api/agreement</c> use),
/// then the API over HTTP (target ≤ 1 s for 10,000 items × 3 annotators).
/// </summary>
internal static class AgreementDatabaseBenchmark
{
    private const int WarmUp = 2;
    private const int Runs = 9;

    public static async Task<int> RunAsync(string[] args)
    {
        var items = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        var annotators = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
        // A console app gets no test content-root attribute, so point the factory at the app's project folder.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", TracePageBenchmark.FindAppFolder());
        var folder = Directory.CreateTempSubdirectory("traceviewer-bench-agreement-");
        try
        {
            await using var app = new AppOnFile(Path.Combine(folder.FullName, "bench.db"));
            var (dataset, taxonomy, rows) = await SeedAsync(app.Services, items, annotators);
            Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; {items:N0} sentences x {annotators} annotators, 10 tags, {rows:N0} tag rows on SQLite; {AgreementComputation.Bootstrap.Replicates:N0} bootstrap replicates per statistic");

            var request = new AgreementRequest(dataset, taxonomy);
            await MeasureAsync("read the tag rows only", async () =>
            {
                await using var scope = app.Services.CreateAsyncScope();
                var queries = scope.ServiceProvider.GetRequiredService<AgreementQueries>();
                return (await queries.TagRowsAsync(queries.Tagged(dataset), taxonomy, CancellationToken.None)).Count;
            });
            List<TagRow> rowsRead;
            List<TagName> tagNames;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var queries = scope.ServiceProvider.GetRequiredService<AgreementQueries>();
                rowsRead = await queries.TagRowsAsync(queries.Tagged(dataset), taxonomy, CancellationToken.None);
                var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
                tagNames = [.. db.Set<Tag>().Where(t => t.TaxonomyId == taxonomy).OrderBy(t => t.Id).Select(t => new TagName(t.Id, t.Name))];
            }

            var annotatorKeys = rowsRead.Select(r => r.Annotator).Distinct().Order(StringComparer.Ordinal).ToList();
            await MeasureAsync("statistics only (rows in memory, every tag)", () =>
                Task.FromResult(AgreementComputation.Tags(taxonomy, "bench", true, annotatorKeys, tagNames, rowsRead).Tags.Count));
            await MeasureAsync("query layer (read rows, every tag's statistics)", async () =>
            {
                await using var scope = app.Services.CreateAsyncScope();
                var view = await scope.ServiceProvider.GetRequiredService<AgreementQueries>().LoadAsync(request, CancellationToken.None);
                return view.Tags!.Tags.Count;
            });
            var client = app.CreateClient();
            await MeasureAsync("GET /api/agreement", async () => (await client.GetStringAsync($"/api/agreement?dataset={dataset}&taxonomy={taxonomy}")).Length);
            await MeasureAsync("GET /agreement (prerendered page)", async () => (await client.GetStringAsync($"/agreement?dataset={dataset}&taxonomy={taxonomy}")).Length);
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Annotators who each copy a hidden set of tags (15% per tag) 80% of the time; a sentence left without a tag gets the first one, so every annotator saw every sentence.</summary>
    private static async Task<(int Dataset, int Taxonomy, int Rows)> SeedAsync(IServiceProvider services, int items, int annotators)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        var random = new Random(1);
        var dataset = new Dataset { Key = "bench/agreement", Name = "Agreement bench", Model = "bench", Kind = TraceViewer.Datasets.DatasetKind.Custom, SourceFormat = "bench" };
        var taxonomy = new Taxonomy { Name = "Bench kinds", Tags = [.. Enumerable.Range(0, 10).Select(g => new Tag { Name = $"tag{g}" })] };
        db.AddRange(dataset, taxonomy);
        await db.SaveChangesAsync();
        const int PerTrace = 100;
        var sentences = new List<Sentence>(items);
        for (var t = 0; t * PerTrace < items; t++)
        {
            var count = Math.Min(PerTrace, items - t * PerTrace);
            var trace = new Trace
            {
                DatasetId = dataset.Id, ExternalKey = $"t{t}", Title = $"Trace {t}", Model = "bench", SourceFormat = "bench", SentenceCount = count,
                Sentences = [.. Enumerable.Range(0, count).Select(i => new Sentence { Index = i, Text = $"Sentence {i} of trace {t}." })],
            };
            db.Add(trace);
            sentences.AddRange(trace.Sentences);
        }

        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        var tags = taxonomy.Tags.Select(t => t.Id).ToArray();
        var rows = 0;
        var batch = new List<SentenceTag>();
        foreach (var sentence in sentences)
        {
            var truth = tags.Where(_ => random.NextDouble() < 0.15).ToArray();
            for (var a = 0; a < annotators; a++)
            {
                var given = tags.Where(t => truth.Contains(t) ? random.NextDouble() < 0.8 : random.NextDouble() < 0.05).ToList();
                if (given.Count == 0)
                {
                    given.Add(tags[0]);
                }

                batch.AddRange(given.Select(t => new SentenceTag { SentenceId = sentence.Id, TagId = t, AnnotatorKind = AnnotatorKind.Person, Annotator = $"person-{a}" }));
            }

            if (batch.Count > 5000)
            {
                rows += batch.Count;
                db.AddRange(batch);
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
                batch.Clear();
            }
        }

        rows += batch.Count;
        db.AddRange(batch);
        await db.SaveChangesAsync();
        return (dataset.Id, taxonomy.Id, rows);
    }

    private static async Task MeasureAsync(string name, Func<Task<int>> run)
    {
        var sink = 0;
        for (var i = 0; i < WarmUp; i++)
        {
            sink += await run();
        }

        var times = new double[Runs];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < Runs; i++)
        {
            var watch = Stopwatch.StartNew();
            sink += await run();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        var cpuPerRun = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / Runs;
        Array.Sort(times);
        Console.WriteLine(
            $"{name}: median {times[Runs / 2]:F1} ms, min {times[0]:F1} ms, max {times[^1]:F1} ms, CPU {cpuPerRun:F1} ms per run on {Environment.ProcessorCount} cores ({Runs} runs, sink {sink})");
    }
}
