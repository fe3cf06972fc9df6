using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Import;
using TraceViewer.Tests.Data;
using TraceViewer.Tests.Import;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>
/// The links the sentence panel shows, read from the packed rows, against the fixture step-importance files: for every
/// sentence of both bundles, of each kind the strongest later sentences it drives and earlier ones that drive it.
/// </summary>
[Collection(PostgresServerGroup.Name)]
public sealed class SentenceLinkReadingTests(PostgresServer server) : IDisposable
{
    private readonly List<TestApp> _apps = [];

    public void Dispose()
    {
        foreach (var app in _apps)
        {
            app.Dispose();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EverySentenceShowsTheStrongestLinksOfTheFilesBothWays(bool postgres)
    {
        var app = new TestApp();
        _apps.Add(app);
        if (postgres)
        {
            app.WithPostgres(server);
        }

        var fixtures = SharedPaths.Fixtures("thought-anchors");
        await app.ImportAsync(fixtures);
        var compared = 0;
        foreach (var bundle in new[] { "deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330", "qwq-32b/yes_base_solution/scenario_0" })
        {
            var links = new List<SentenceLinkView>();
            foreach (var (file, kind) in new[] { ("step_importance.json", SentenceLinkKinds.ResamplingMatch), ("step_importance_supp.json", SentenceLinkKinds.AttentionSuppression) })
            {
                var path = Path.Combine(fixtures, bundle, file);
                if (File.Exists(path))
                {
                    links.AddRange(JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement.EnumerateArray().SelectMany(s =>
                        s.GetProperty("target_impacts").EnumerateArray().Select(t => new SentenceLinkView(
                            kind, s.GetProperty("source_chunk_idx").GetInt32(), t.GetProperty("target_chunk_idx").GetInt32(), t.GetProperty("importance_score").GetDouble()))));
                }
            }

            await using var scope = app.Services.CreateAsyncScope();
            var queries = scope.ServiceProvider.GetRequiredService<TraceQueries>();
            var db = scope.ServiceProvider.GetRequiredService<TraceViewer.Data.TraceViewerDbContext>();
            var trace = await db.Set<Trace>().AsNoTracking().SingleAsync(t => t.SourcePath == bundle);
            foreach (var index in await db.Set<Sentence>().Where(s => s.TraceId == trace.Id).Select(s => s.Index).OrderBy(i => i).ToListAsync())
            {
                var shown = (await queries.GetSentenceResamplesAsync(trace.Id, index, null, CancellationToken.None)).Links;
                Assert.Equal(Expected(links, index), shown.OrderBy(l => l.Kind, StringComparer.Ordinal).ThenBy(l => l.Source == index).ThenBy(l => l.Source).ThenBy(l => l.Target));
                compared += shown.Count;
            }
        }

        Assert.True(compared > 1000, $"only {compared} links shown");
    }

    /// <summary>The rule the panel follows, on the files' links: per kind and direction the five largest in size, ties by the other sentence.</summary>
    private static IEnumerable<SentenceLinkView> Expected(List<SentenceLinkView> links, int index) =>
        links.Where(l => (l.Source == index && l.Target > index) || (l.Target == index && l.Source < index))
            .GroupBy(l => (l.Kind, Later: l.Source == index))
            .SelectMany(g => g.OrderByDescending(l => Math.Abs(l.Score)).ThenBy(l => g.Key.Later ? l.Target : l.Source).Take(TraceQueries.LinksShown))
            .OrderBy(l => l.Kind, StringComparer.Ordinal).ThenBy(l => l.Source == index).ThenBy(l => l.Source).ThenBy(l => l.Target);
}
