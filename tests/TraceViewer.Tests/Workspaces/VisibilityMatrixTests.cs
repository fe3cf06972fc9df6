using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Data;
using TraceViewer.Search;
using TraceViewer.Tags;
using TraceViewer.Tests.Accounts;
using TraceViewer.Tests.Sharing;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Workspaces;

/// <summary>Who reads which dataset, through the real app on a SQLite file, on every page and API route.</summary>
public sealed class VisibilityMatrixTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    /// <summary>
    /// Every GET route of the app (from its route table, so a new one cannot be missed), with its ids set to each trace
    /// and dataset, and each route without parameters also with a search for "numbers": for every caller, no answer
    /// carries a word of a dataset it may not read.
    /// </summary>
    [Fact]
    public async Task NoRouteShowsAnyCallerADatasetItMayNotRead()
    {
        var world = await VisibilityWorld.BuildAsync(_app);
        var ids = world.Datasets.Values.SelectMany(d => new[] { d.DatasetId, d.TraceId }).Distinct().Order().ToList();
        var urls = ShareLinksTests.Requests(_app.Services, ids).Where(r => r.Method == "GET").Select(r => r.Url).ToList();
        urls.AddRange(urls.Where(u => !u.Any(char.IsDigit)).Select(u => u + "?q=numbers&text=numbers").ToList());
        Assert.Contains($"/traces/{world.Datasets[VisibilityWorld.Quokka].TraceId}/sentences/0", urls);
        Assert.Contains("/api/search.json?q=numbers&text=numbers", urls);
        Assert.Contains("/admin/workspaces", urls);

        var failures = new List<string>();
        var answered = 0;
        foreach (var viewer in world.Viewers.Where(v => v.NeverSees.Count > 0))
        {
            foreach (var url in urls)
            {
                var response = await viewer.Client.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                answered += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
                foreach (var marker in viewer.NeverSees.Where(m => body.Contains(m, StringComparison.OrdinalIgnoreCase)))
                {
                    failures.Add($"{viewer.Name}: GET {url} ({(int)response.StatusCode}) shows {marker}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        // The sweep read real pages, not only refusals.
        Assert.True(answered > urls.Count, $"only {answered} answers were 200");
    }

    /// <summary>Each caller reads the traces it may: the trace page and the dataset list show them.</summary>
    [Fact]
    public async Task EachCallerReadsItsOwnDatasetsPagesAndListsThem()
    {
        var world = await VisibilityWorld.BuildAsync(_app);
        var failures = new List<string>();
        foreach (var viewer in world.Viewers)
        {
            foreach (var marker in viewer.Reads)
            {
                var trace = world.Datasets[marker].TraceId;
                var page = await viewer.Client.GetAsync($"/traces/{trace}");
                var body = await page.Content.ReadAsStringAsync();
                if (page.StatusCode != HttpStatusCode.OK || !body.Contains($"{marker} trace", StringComparison.Ordinal))
                {
                    failures.Add($"{viewer.Name}: /traces/{trace} answered {(int)page.StatusCode} without {marker}");
                }
            }

            if (viewer.Name is "share holder")
            {
                continue;
            }

            var listed = await DatasetNamesAsync(viewer.Client);
            var expected = viewer.Reads.Select(m => $"{m} problems").Order(StringComparer.Ordinal).ToList();
            if (!listed.SequenceEqual(expected))
            {
                failures.Add($"{viewer.Name}: /api/datasets lists {string.Join(", ", listed)}, expected {string.Join(", ", expected)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>A private trace is not found by another workspace's search, nor counted, nor offered as a choice.</summary>
    [Fact]
    public async Task APrivateTraceNeverReachesAnotherWorkspacesSearchCountsOrChoices()
    {
        var world = await VisibilityWorld.BuildAsync(_app);
        var beta = world.Viewer("member of Beta");

        var hits = await JsonArrayAsync(beta.Client, "/api/search.json?text=numbers");
        var csv = await beta.Client.GetStringAsync("/api/search.csv?text=numbers");
        var traces = await JsonArrayAsync(beta.Client, "/api/traces.json");

        Assert.Equal(3, hits.Count);
        Assert.DoesNotContain(hits, h => h.GetRawText().Contains(VisibilityWorld.Quokka, StringComparison.Ordinal));
        Assert.Equal(3, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
        Assert.Equal(3, traces.Count);

        // The search page's choices and the counts behind them, as the member of Beta reads them.
        var visible = world.Datasets.Values.Where(d => beta.Reads.Contains(d.Marker)).Select(d => d.DatasetId).Order().ToArray();
        var quokka = world.Datasets[VisibilityWorld.Quokka];
        DatasetScope.Set(visible);
        await using var scope = _app.Services.CreateAsyncScope();
        var options = await scope.ServiceProvider.GetRequiredService<SearchQueries>().ListOptionsAsync(CancellationToken.None);
        var found = await scope.ServiceProvider.GetRequiredService<SearchQueries>()
            .FindAsync(SentenceSearchFilter.FromQuery(null, "quokka", null, null, null, null, null, null), CancellationToken.None);
        var byDataset = await scope.ServiceProvider.GetRequiredService<SearchQueries>()
            .FindAsync(SentenceSearchFilter.FromQuery("test/quokka/x", null, null, null, null, null, null, null), CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();

        Assert.Equal(["Axolotl problems", "Narwhal problems", "Pangolin problems"], options.Datasets.Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(quokka.Tag, options.Tags);
        Assert.Contains(world.Datasets[VisibilityWorld.Narwhal].Tag, options.Tags);
        Assert.Equal(0, found.Total);
        Assert.Equal(0, byDataset.Total);
        Assert.Equal(3, await db.Set<Trace>().CountAsync());
        Assert.Equal(9, await db.Set<Sentence>().CountAsync());
        Assert.Equal(9, await db.Set<SentenceTag>().CountAsync());
        Assert.Equal(0, await db.Set<TraceViewer.MetricSets.MetricSet>().CountAsync(m => m.TraceId == quokka.TraceId));
        Assert.Equal(1, await db.Set<Trace>().IgnoreQueryFilters().CountAsync(t => t.Id == quokka.TraceId));
    }

    [Fact]
    public async Task WithoutAccountsTheLocalOwnerReadsEveryDatasetWhateverItsWorkspace()
    {
        var datasets = await VisibilityWorld.SeedDatasetsAsync(_app);
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var workspaces = scope.ServiceProvider.GetRequiredService<TraceViewer.Datasets.WorkspaceService>();
            var alpha = (await workspaces.CreateAsync("Alpha")).Id!.Value;
            foreach (var dataset in datasets.Values)
            {
                Assert.Null(await workspaces.PlaceAsync(dataset.DatasetId, alpha, TraceViewer.Workspaces.DatasetVisibility.Workspace));
            }
        }

        var client = _app.NewClient();

        Assert.Equal(VisibilityWorld.Markers.Select(m => $"{m} problems").Order(StringComparer.Ordinal), await DatasetNamesAsync(client));
        Assert.Equal(4, (await JsonArrayAsync(client, "/api/search.json?text=numbers")).Count);
        Assert.Contains("Quokka trace", await client.GetStringAsync($"/traces/{datasets[VisibilityWorld.Quokka].TraceId}"), StringComparison.Ordinal);
    }

    private static async Task<List<string>> DatasetNamesAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/datasets");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.EnumerateArray().Select(d => d.GetProperty("name").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static async Task<List<JsonElement>> JsonArrayAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.EnumerateArray().Select(e => e.Clone())];
    }
}
