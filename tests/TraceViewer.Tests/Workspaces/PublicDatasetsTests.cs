using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using TraceViewer.Accounts;
using TraceViewer.Tests.Accounts;
using TraceViewer.Tests.Sharing;

namespace TraceViewer.Tests.Workspaces;

/// <summary>With accounts on, a signed-out visitor reads the public datasets and nothing else, and writes nothing; only their trace pages may be indexed.</summary>
public sealed class PublicDatasetsTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task ASignedOutVisitorReadsThePublicDatasetsPagesAndRoutes()
    {
        var world = await VisibilityWorld.BuildAsync(_app);
        var client = world.Viewer("signed out").Client;
        var axolotl = world.Datasets[VisibilityWorld.Axolotl];
        string[] reads =
        [
            $"/traces/{axolotl.TraceId}", $"/traces/{axolotl.TraceId}/sentences/1", $"/datasets/{axolotl.DatasetId}/study",
            "/datasets", "/traces", "/search?text=numbers",
            $"/api/traces/{axolotl.TraceId}", $"/api/traces/{axolotl.TraceId}/sentences.csv", $"/api/traces/{axolotl.TraceId}/sentences.json",
            $"/api/traces/{axolotl.TraceId}/curve.csv", $"/api/traces/{axolotl.TraceId}/analyses",
            $"/api/datasets/{axolotl.DatasetId}/study.csv", $"/api/datasets/{axolotl.DatasetId}/study.json", $"/api/datasets/{axolotl.DatasetId}/study-chart.csv",
            "/api/datasets", "/api/traces", "/api/traces.csv", "/api/traces.json", "/api/search.json?text=numbers", "/api/search.csv?text=numbers",
        ];
        var failures = new List<string>();
        foreach (var url in reads)
        {
            var response = await client.GetAsync(url);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"GET {url}: {(int)response.StatusCode} {response.Headers.Location}, expected 200");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Contains("Axolotl trace", await client.GetStringAsync($"/traces/{axolotl.TraceId}/sentences/1"), StringComparison.Ordinal);
        using var datasets = JsonDocument.Parse(await client.GetStringAsync("/api/datasets"));
        Assert.Equal(["Axolotl problems"], datasets.RootElement.EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        using var hits = JsonDocument.Parse(await client.GetStringAsync("/api/search.json?text=numbers"));
        Assert.Equal(1, hits.RootElement.GetArrayLength());
        // The page offers what a visitor can use: the public pages and a way to sign in, no tagging, jobs, import or sharing.
        var page = new HtmlParser().ParseDocument(await client.GetStringAsync($"/traces/{axolotl.TraceId}"));
        Assert.NotNull(page.QuerySelector("[data-testid=sign-in-link]"));
        Assert.Null(page.QuerySelector("a[href='/jobs']"));
        Assert.Null(page.QuerySelector("a[href='/import']"));
        Assert.Null(page.QuerySelector("[data-testid=trace-jobs]"));
        Assert.Null(page.QuerySelector("[data-testid=recompute-form]"));
        Assert.Equal("false", page.QuerySelector(".trace-page")!.GetAttribute("data-may-tag"));
    }

    [Fact]
    public async Task ASignedOutVisitorIsAskedToSignInForOtherDatasetsAndForPagesNotAboutDatasets()
    {
        var world = await VisibilityWorld.BuildAsync(_app);
        var client = world.Viewer("signed out").Client;
        var failures = new List<string>();
        var pages = new List<string> { "/jobs", "/jobs/1", "/import", "/queues", "/queues/mine", "/shares", "/admin/workspaces", "/admin/users", "/agreement", "/kinds", "/views", "/account/password" };
        var apis = new List<string> { "/api/jobs", "/api/kinds", "/api/agreement", "/api/kinds-chart.csv", "/openapi/v1.json" };
        foreach (var marker in new[] { VisibilityWorld.Quokka, VisibilityWorld.Narwhal, VisibilityWorld.Pangolin })
        {
            var (dataset, trace) = (world.Datasets[marker].DatasetId, world.Datasets[marker].TraceId);
            pages.AddRange([$"/traces/{trace}", $"/traces/{trace}/sentences/0", $"/datasets/{dataset}/study"]);
            apis.AddRange([$"/api/traces/{trace}", $"/api/traces/{trace}/curve.csv", $"/api/traces/{trace}/sentences.csv", $"/api/datasets/{dataset}/study.json"]);
        }

        foreach (var url in pages)
        {
            var response = await client.GetAsync(url);
            if (response.StatusCode != HttpStatusCode.Redirect || !IsSignIn(response.Headers.Location))
            {
                failures.Add($"GET {url}: {(int)response.StatusCode} {response.Headers.Location}, expected the sign-in page");
            }
        }

        foreach (var url in apis)
        {
            var response = await client.GetAsync(url);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                failures.Add($"GET {url}: {(int)response.StatusCode}, expected 401");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>Every route of the app that is not a GET, with the public dataset's ids and the others': refused, and nothing written.</summary>
    [Fact]
    public async Task ASignedOutVisitorWritesNothingAnywhere()
    {
        var world = await VisibilityWorld.BuildAsync(_app);
        var client = world.Viewer("signed out").Client;
        var ids = world.Datasets.Values.SelectMany(d => new[] { d.DatasetId, d.TraceId }).Distinct().ToList();
        var writes = ShareLinksTests.Requests(_app.Services, ids).Where(r => r.Method != "GET").ToList();
        Assert.Contains(writes, r => r.Method == "POST" && r.Url.StartsWith("/api/jobs", StringComparison.Ordinal));
        var before = await CountRowsAsync();
        var failures = new List<string>();
        foreach (var (method, url) in writes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            var response = await client.SendAsync(request);
            if ((int)response.StatusCode < 400 && !(response.StatusCode == HttpStatusCode.Redirect && IsSignIn(response.Headers.Location)))
            {
                failures.Add($"{method} {url}: {(int)response.StatusCode}, a write must be refused");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task OnlyThePublicDatasetsTracePagesLeaveOutNoindexAndKeepTheirPreview()
    {
        var world = await VisibilityWorld.BuildAsync(_app);
        var axolotl = world.Datasets[VisibilityWorld.Axolotl];
        var narwhal = world.Datasets[VisibilityWorld.Narwhal];
        var pangolin = world.Datasets[VisibilityWorld.Pangolin];
        var beta = world.Viewer("member of Beta").Client;
        var signedOut = world.Viewer("signed out").Client;

        foreach (var (client, url) in new[]
        {
            (signedOut, $"/traces/{axolotl.TraceId}"), (signedOut, $"/traces/{axolotl.TraceId}/sentences/1"), (beta, $"/traces/{axolotl.TraceId}/sentences/0"),
        })
        {
            var (robots, title) = await HeadAsync(client, url);
            Assert.True(robots is null, $"{url} says robots {robots}");
            Assert.Equal("Axolotl trace", title);
        }

        foreach (var (client, url) in new[]
        {
            (beta, $"/traces/{narwhal.TraceId}"), (beta, $"/traces/{pangolin.TraceId}/sentences/1"), (signedOut, "/datasets"), (signedOut, "/traces"),
            (signedOut, "/search?text=numbers"), (signedOut, $"/datasets/{axolotl.DatasetId}/study"), (beta, "/jobs"), (signedOut, AccountsExtensions.SignInPath),
        })
        {
            var (robots, _) = await HeadAsync(client, url);
            Assert.True(robots == "noindex", $"{url} says robots {robots ?? "nothing"}");
        }

        // The private trace keeps its preview too (for share links), with noindex.
        Assert.Equal("Narwhal trace", (await HeadAsync(beta, $"/traces/{narwhal.TraceId}")).Title);
    }

    /// <summary>A redirect to the sign-in page (absolute or not).</summary>
    internal static bool IsSignIn(Uri? location) =>
        location is not null && (location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0]) == AccountsExtensions.SignInPath;

    private static async Task<(string? Robots, string? Title)> HeadAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
        var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        return (page.QuerySelector("meta[name=robots]")?.GetAttribute("content"), page.QuerySelector("meta[property='og:title']")?.GetAttribute("content"));
    }

    private async Task<string> CountRowsAsync()
    {
        await using var db = _app.CreateDbContext();
        return $"jobs {await db.Set<TraceViewer.Jobs.Job>().CountAsync()}, tags {await db.Set<TraceViewer.Tags.SentenceTag>().CountAsync()}, "
            + $"shares {await db.Set<TraceViewer.Sharing.ShareLink>().CountAsync()}, users {await db.Users.CountAsync()}, "
            + $"members {await db.Set<TraceViewer.Workspaces.WorkspaceMember>().CountAsync()}, metric sets {await db.Set<TraceViewer.MetricSets.MetricSet>().CountAsync()}";
    }
}
