using System.Net;
using System.Text.Json;

namespace TraceViewer.Tests.Workspaces;

/// <summary>
/// The agreement and kinds figures rest only on the tags of datasets the caller reads: each dataset of
/// <see cref="VisibilityWorld"/> has its own tag on its three sentences, so a figure over a dataset the caller may not
/// read would show that tag or count its sentences. Signed out, both still ask for a sign-in (decision 0047).
/// </summary>
public sealed class AgreementKindsVisibilityTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task AgreementAndKindsCountOnlyTheTagsOfReadableDatasets() => await FiguresHoldOnlyReadableTagsAsync(_app);

    internal static async Task FiguresHoldOnlyReadableTagsAsync(TestApp app)
    {
        var world = await VisibilityWorld.BuildAsync(app);
        var failures = new List<string>();
        foreach (var viewer in world.Viewers.Where(v => v.Name is not ("signed out" or "share holder")))
        {
            var expectedTags = viewer.Reads.Select(m => world.Datasets[m].Tag).Order(StringComparer.Ordinal).ToList();

            // Without a dataset the page takes one readable dataset; named, all of them are counted.
            using var first = await JsonAsync(viewer.Client, "/api/kinds?layer=everyone");
            var readable = first.RootElement.GetProperty("options").GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("id").GetInt32()).ToList();
            var taken = first.RootElement.GetProperty("selection").GetProperty("datasets").EnumerateArray().Select(d => d.GetInt32()).ToList();
            if (taken.Count != 1 || !readable.Contains(taken[0]))
            {
                failures.Add($"{viewer.Name}: kinds without a dataset takes {string.Join(", ", taken)}, not one of the readable {string.Join(", ", readable)}");
            }

            using var kinds = await JsonAsync(viewer.Client, "/api/kinds?layer=everyone" + string.Concat(readable.Select(id => $"&dataset={id}")));
            var tagged = kinds.RootElement.GetProperty("rows").EnumerateArray()
                .Where(r => r.GetProperty("tagged").GetProperty("sentences").GetInt32() > 0)
                .Select(r => r.GetProperty("tag").GetString()!).Order(StringComparer.Ordinal).ToList();
            var sentences = kinds.RootElement.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("tagged").GetProperty("sentences").GetInt32());
            var kindsDatasets = kinds.RootElement.GetProperty("options").GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToList();
            if (!tagged.SequenceEqual(expectedTags) || sentences != 3 * viewer.Reads.Count || kindsDatasets.Count != viewer.Reads.Count)
            {
                failures.Add($"{viewer.Name}: kinds shows tags {string.Join(", ", tagged)} over {sentences} sentences and {kindsDatasets.Count} datasets, expected {string.Join(", ", expectedTags)}");
            }

            using var agreement = await JsonAsync(viewer.Client, "/api/agreement");
            var annotated = agreement.RootElement.GetProperty("annotators").EnumerateArray().Sum(a => a.GetProperty("sentences").GetInt32());
            var agreementDatasets = agreement.RootElement.GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToList();
            if (annotated != 3 * viewer.Reads.Count || agreementDatasets.Any(n => viewer.NeverSees.Any(m => n.Contains(m, StringComparison.Ordinal))))
            {
                failures.Add($"{viewer.Name}: agreement counts {annotated} annotated sentences over {string.Join(", ", agreementDatasets)}, expected {3 * viewer.Reads.Count}");
            }

            // Asking for a dataset it may not read gives nothing of it.
            foreach (var marker in viewer.NeverSees)
            {
                var dataset = world.Datasets[marker];
                var body = await viewer.Client.GetStringAsync($"/api/kinds?layer=everyone&dataset={dataset.DatasetId}");
                using var one = JsonDocument.Parse(body);
                if (one.RootElement.GetProperty("rows").EnumerateArray().Any(r => r.GetProperty("tag").GetString() == dataset.Tag && r.GetProperty("tagged").GetProperty("sentences").GetInt32() > 0))
                {
                    failures.Add($"{viewer.Name}: kinds over {marker} shows its tag");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));

        // Annotators are accounts: signed out (also for public datasets) and with a share link, both pages ask for a sign-in.
        foreach (var name in new[] { "signed out", "share holder" })
        {
            var client = world.Viewer(name).Client;
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/kinds")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/agreement")).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/kinds")).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/agreement")).StatusCode);
        }
    }

    private static async Task<JsonDocument> JsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
