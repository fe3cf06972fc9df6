using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.MetricSets;
using TraceViewer.Search;
using TraceViewer.Traces;
using Trace = TraceViewer.Traces.Trace;

namespace TraceViewer.Bench;

/// <summary>
/// Sentence search on the bundled sample data (two traces, 285 sentences), then on the sample traces copied until
/// there are about as many as in the 42-trace thought-anchors.com bundle. Times the search's queries alone and the
/// whole prerendered page (in process, no sockets).
/// </summary>
internal static class SearchBenchmark
{
    private const int WarmUp = 10;

    private static readonly string[] Searches =
    [
        "text=the",
        "text=blackmail",
        "tag=plan_generation",
        "outcome=contains_blackmail",
        "outcome=is_correct&direction=promotes&min=0.1",
        "outcome=is_correct&effect=kl&page=3",
        "text=so&outcome=is_correct",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 50;
        var copies = args.Length > 1 && int.TryParse(args[1], out var c) ? c : 20;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEVIEWER", BenchPaths.AppFolder());
        var directory = Directory.CreateTempSubdirectory("traceviewer-bench-search-");
        try
        {
            await using var factory = new AppOnFile(Path.Combine(directory.FullName, "bench.db"), importSampleData: true);
            using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            Console.WriteLine($"{Environment.ProcessorCount} cores, load average {BenchPaths.LoadAverage()}, {runs} runs each after {WarmUp} warm-up runs");

            Console.WriteLine($"sample data: {await CountAsync(factory.Services)}");
            await MeasureAllAsync(factory.Services, client, runs);

            await CopySampleTracesAsync(factory.Services, copies);
            Console.WriteLine($"sample traces copied {copies} times: {await CountAsync(factory.Services)}");
            await MeasureAllAsync(factory.Services, client, runs);
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
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
            var bytes = 0;
            var page = await TimeAsync(runs, async () =>
            {
                using var response = await client.GetAsync("/search?" + search);
                response.EnsureSuccessStatusCode();
                bytes = (await response.Content.ReadAsByteArrayAsync()).Length;
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  /search?{search,-46} {total,6} hits  queries median {queries.Median,6:F1} ms p90 {queries.P90,6:F1} ms   page median {page.Median,6:F1} ms p90 {page.P90,6:F1} ms  {bytes / 1024.0,6:F1} KB"));
        }
    }

    private static async Task<(double Median, double P90)> TimeAsync(int runs, Func<Task> action)
    {
        var times = await Timing.SortedAsync(WarmUp, runs, action);
        return (Timing.Median(times), times[(int)(runs * 0.9)]);
    }

    private static async Task<string> CountAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        return $"{await db.Set<Trace>().CountAsync()} traces, {await db.Set<Sentence>().CountAsync()} sentences, {await db.Set<SentenceMetric>().CountAsync()} sentence metrics";
    }

    /// <summary>New traces with the sample traces' sentences and metric sets, as if more of the bundle had been imported.</summary>
    private static async Task CopySampleTracesAsync(IServiceProvider services, int copies)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        var originals = await db.Set<Trace>().AsNoTracking().ToListAsync();
        foreach (var original in originals)
        {
            var sentences = await db.Set<Sentence>().AsNoTracking().Where(s => s.TraceId == original.Id).ToListAsync();
            var sets = await db.Set<MetricSet>().AsNoTracking().Include(m => m.Values).Where(m => m.TraceId == original.Id).ToListAsync();
            for (var copy = 1; copy <= copies; copy++)
            {
                var trace = new Trace
                {
                    DatasetId = original.DatasetId, ExternalKey = $"{original.ExternalKey}#copy{copy}", Title = $"{original.Title} (copy {copy})",
                    Prompt = original.Prompt, Response = original.Response, Reasoning = original.Reasoning, Model = original.Model,
                    SourceFormat = original.SourceFormat, SentenceCount = original.SentenceCount, MaxImportance = original.MaxImportance,
                    ImportedAt = original.ImportedAt,
                    Sentences = [.. sentences.Select(s => new Sentence
                    {
                        Index = s.Index, Text = s.Text, Separator = s.Separator, Start = s.Start, End = s.End, Summary = s.Summary,
                    })],
                };
                db.Add(trace);
                await db.SaveChangesAsync();
                await db.Database.ExecuteSqlInterpolatedAsync($"""
                    INSERT INTO "SentenceTag" ("SentenceId", "TagId", "AnnotatorKind", "Annotator", "Note", "CreatedAt", "UpdatedAt")
                    SELECT c."Id", st."TagId", st."AnnotatorKind", st."Annotator", st."Note", st."CreatedAt", st."UpdatedAt"
                    FROM "SentenceTag" st JOIN "Sentence" o ON o."Id" = st."SentenceId" JOIN "Sentence" c ON c."Index" = o."Index"
                    WHERE o."TraceId" = {original.Id} AND c."TraceId" = {trace.Id}
                    """);
                foreach (var set in sets)
                {
                    db.Add(new MetricSet
                    {
                        TraceId = trace.Id, OutcomeId = set.OutcomeId, Source = set.Source, SourceFile = set.SourceFile, Threshold = set.Threshold,
                        EmbeddingModel = set.EmbeddingModel, Alpha = set.Alpha, ResampleCount = set.ResampleCount, ComputedAt = set.ComputedAt,
                        Values = [.. set.Values.Select(v => new SentenceMetric
                        {
                            SentenceIndex = v.SentenceIndex, Name = v.Name, Value = v.Value, Low = v.Low, High = v.High, Count = v.Count, Successes = v.Successes,
                        })],
                    });
                }

                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }
        }
    }
}
