using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TraceViewer.Components.Charts;
using TraceViewer.Snapshot;
using TraceViewer.Studies;
using TraceViewer.Traces;
using Xunit.Abstractions;

namespace TraceViewer.Tests.Snapshot;

/// <summary>The app with the fixtures and seeded traces, published once into a snapshot the tests read.</summary>
public sealed class PublishedSnapshot : IAsyncLifetime
{
    internal TestApp App { get; } = new();

    internal SnapshotData Data { get; private set; } = default!;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"traceviewer-snapshot-{Guid.NewGuid():N}", "site");

    public string Output { get; private set; } = "";

    public string Error { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Data = await SnapshotSeeder.SeedAsync(App);
        int exit;
        (exit, Output, Error) = await SnapshotSeeder.PublishAsync(App,
            "thought-anchors-viewer/qwq-32b/yes_base_solution", "1", Data.HostileDatasetKey, Data.StudyDatasetKey, Folder, "--live-url", "https://traces.example.org/");
        if (exit != 0)
        {
            throw new InvalidOperationException("publish failed: " + Error);
        }
    }

    public string Read(string relative) => File.ReadAllText(Path.Combine(Folder, relative));

    public Task DisposeAsync()
    {
        App.Dispose();
        Directory.Delete(Path.GetDirectoryName(Folder)!, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class SnapshotCommandTests(PublishedSnapshot snapshot, ITestOutputHelper output) : IClassFixture<PublishedSnapshot>
{
    [Fact]
    public void WritesTheIndexAPagePerTraceAStudyPageTheBundleAndTheDataWithProgress()
    {
        var files = Directory.EnumerateFiles(snapshot.Folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(snapshot.Folder, f).Replace('\\', '/')).ToHashSet();

        Assert.Contains("index.html", files);
        Assert.Contains("assets/" + SnapshotBuilder.BundleName, files);
        Assert.Contains("assets/snapshot.js", files);
        Assert.Contains("assets/snapshot.css", files);
        Assert.Contains($"study-{snapshot.Data.StudyDatasetId}.html", files);
        Assert.Contains($"data/study-{snapshot.Data.StudyDatasetId}.json", files);
        // Two fixture traces, the hostile one and the study's 19.
        var traces = files.Where(f => Regex.IsMatch(f, @"^trace-\d+\.html$")).ToList();
        Assert.Equal(22, traces.Count);
        Assert.All(traces, t => Assert.Contains("data/" + t.Replace(".html", ".json", StringComparison.Ordinal), files));
        Assert.All(traces, t => Assert.Contains("data/" + t.Replace(".html", ".js", StringComparison.Ordinal), files));
        Assert.Contains("trace 1/22: ", snapshot.Error, StringComparison.Ordinal);
        Assert.Contains("trace 22/22: ", snapshot.Error, StringComparison.Ordinal);
        Assert.Matches(@"published 22 traces of 4 datasets to .+: \d+ files, [\d,]+ bytes, \d+ ms", snapshot.Output);
        output.WriteLine(snapshot.Output);
        // Nothing is left beside the folder but the folder.
        Assert.Equal(["site"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(snapshot.Folder)!).Select(Path.GetFileName));
    }

    [Fact]
    public void HostileTextAppearsAsTextAndNoPageHasAnInlineScript()
    {
        var page = snapshot.Read($"trace-{snapshot.Data.HostileTraceId}.html");
        var data = snapshot.Read($"data/trace-{snapshot.Data.HostileTraceId}.js");
        var index = snapshot.Read("index.html");

        Assert.DoesNotContain("<script>window.__pwned", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;window.__pwned = &#x27;script&#x27;&lt;/script&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", index, StringComparison.Ordinal);
        Assert.Contains("Hostile &lt;b&gt;dataset&lt;/b&gt;", index, StringComparison.Ordinal);
        Assert.DoesNotContain("</script>", data, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", data, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(snapshot.Folder, "*.html"))
        {
            var html = File.ReadAllText(file);
            Assert.All(Regex.Matches(html, "<script[^>]*>").Select(m => m.Value), tag => Assert.Matches("^<script src=\"(data|assets)/[^\"]+\\.js\"></script>$", tag + "</script>"));
            Assert.DoesNotContain(" on", Regex.Replace(string.Join("", Regex.Matches(html, "<[a-z]+ [^>]*>").Select(m => m.Value)), "\"[^\"]*\"", "\"\""), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheNumbersAreTheLiveApiNumbers()
    {
        using var client = snapshot.App.CreateClient();
        foreach (var id in new[] { 1, 2, snapshot.Data.HostileTraceId })
        {
            var live = (await client.GetFromJsonAsync<JsonNode>($"/api/traces/{id}"))!["outcomes"]!.AsArray();
            var shown = JsonNode.Parse(snapshot.Read($"data/trace-{id}.json"))!["document"]!["outcomes"]!.AsArray();

            Assert.NotEmpty(live);
            Assert.Equal(live.Count, shown.Count);
            for (var o = 0; o < live.Count; o++)
            {
                Assert.Equal(live[o]!["key"]!.GetValue<string>(), shown[o]!["key"]!.GetValue<string>());
                Assert.True(JsonNode.DeepEquals(live[o]!["prefixRates"], shown[o]!["prefixRates"]), $"prefix rates of trace {id}");
                Assert.True(JsonNode.DeepEquals(live[o]!["effects"], shown[o]!["effects"]), $"effects of trace {id}");
                Assert.True(JsonNode.DeepEquals(live[o]!["provenance"], shown[o]!["provenance"]), $"metric set of trace {id}");
            }
        }
    }

    [Fact]
    public async Task SentencesAreTintedByTheShownDirectionAndEveryOneHasAnAnchor()
    {
        var id = snapshot.Data.HostileTraceId;
        await using var scope = snapshot.App.Services.CreateAsyncScope();
        var document = (await scope.ServiceProvider.GetRequiredService<TraceQueries>().GetTraceAsync(id, CancellationToken.None))!;
        var outcome = document.PrimaryOutcome(document.Dataset.PrimaryOutcome)!;
        var page = snapshot.Read($"trace-{id}.html");

        var directions = Regex.Matches(page, "<a class=\"sentence\" id=\"s-(\\d+)\" href=\"#s-\\1\"[^>]*data-direction=\"(\\w+)\"")
            .ToDictionary(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m => m.Groups[2].Value);
        Assert.Equal(document.Sentences.Count, directions.Count);
        Assert.All(document.Sentences, s => Assert.Equal(outcome.EffectsAt(s.Index).Shown(EffectKind.Counterfactual).Direction.CssName(), directions[s.Index]));
        Assert.Contains("promotes", directions.Values);
        Assert.Contains("suppresses", directions.Values);
        Assert.Contains("href=\"https://traces.example.org/traces/" + id + "\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheStudyPageShowsTheLiveStudyRates()
    {
        await using var scope = snapshot.App.Services.CreateAsyncScope();
        var study = (await scope.ServiceProvider.GetRequiredService<StudyQueries>().LoadAsync(snapshot.Data.StudyDatasetId, CancellationToken.None))!;
        var page = snapshot.Read($"study-{snapshot.Data.StudyDatasetId}.html");
        var data = JsonNode.Parse(snapshot.Read($"data/study-{snapshot.Data.StudyDatasetId}.json"))!;

        var free = study.Find("default", "free")!;
        Assert.Equal(7, free.Compliance.Positives);
        Assert.Contains($"<td data-testid=\"compliance\">70.0% [{free.Compliance.Low:0.0%}, {free.Compliance.High:0.0%}] (7/10)</td>".Replace("%", "%", StringComparison.Ordinal), page, StringComparison.Ordinal);
        var paid = study.Find("default", "paid")!;
        Assert.Contains("(2/8), 1 undetermined", page, StringComparison.Ordinal);
        Assert.Equal(paid.Compliance.Low, data["conditions"]![1]!["compliance"]!["low"]!.GetValue<double>());
        Assert.Contains("Study &lt;u&gt;set&lt;/u&gt;", page, StringComparison.Ordinal);
        Assert.Contains("href=\"https://traces.example.org/datasets/" + snapshot.Data.StudyDatasetId + "/study\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownIdsAndKeysAreNamedAndNothingIsWritten()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"traceviewer-snapshot-{Guid.NewGuid():N}");

        var (exit, output, error) = await SnapshotSeeder.PublishAsync(snapshot.App, "1", "99999", "no/such-dataset", folder);

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("trace 99999", error, StringComparison.Ordinal);
        Assert.Contains("dataset 'no/such-dataset'", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
        Assert.Empty(Directory.EnumerateDirectories(Path.GetTempPath(), $".{Path.GetFileName(folder)}.partial-*"));
    }

    [Fact]
    public async Task AFolderWithFilesIsReplacedOnlyWithForce()
    {
        var folder = Directory.CreateTempSubdirectory("traceviewer-snapshot-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "paper.tex"), "keep me");

            var refused = await SnapshotSeeder.PublishAsync(snapshot.App, "1", folder);

            Assert.Equal(1, refused.Exit);
            Assert.Contains("--force", refused.Error, StringComparison.Ordinal);
            Assert.Equal(["paper.tex"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));

            var forced = await SnapshotSeeder.PublishAsync(snapshot.App, "1", folder, "--force");

            Assert.Equal(0, forced.Exit);
            Assert.False(File.Exists(Path.Combine(folder, "paper.tex")));
            Assert.True(File.Exists(Path.Combine(folder, "trace-1.html")));
            Assert.False(File.Exists(Path.Combine(folder, "trace-2.html")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task TheChartBundleIsTheOneTheLiveChartsLoad()
    {
        var served = await snapshot.App.CreateClient().GetByteArrayAsync(Chart.BundlePath.TrimStart('.'));

        var published = await File.ReadAllBytesAsync(Path.Combine(snapshot.Folder, "assets", SnapshotBuilder.BundleName));

        Assert.True(served.Length > 100_000);
        Assert.Equal(served, published);
    }

    [Fact]
    public async Task TheSnapshotAndTheLiveAppLinkToEachOtherAtTheSameSentence()
    {
        using var linked = new TestApp(snapshot.App.DirectoryPath).WithSetting("Snapshot:BaseUrl", "https://example.org/paper/");
        var client = linked.CreateClient();

        var live = ComponentRenderer.Parse(await client.GetStringAsync("/traces/1/sentences/12"));
        var unlinked = ComponentRenderer.Parse(await snapshot.App.CreateClient().GetStringAsync("/traces/1/sentences/12"));
        var published = ComponentRenderer.Parse(snapshot.Read("trace-1.html"));
        var back = new Uri(published.QuerySelector("[data-testid=live-link]")!.GetAttribute("href")!);
        var backPage = await client.GetAsync(back.PathAndQuery);

        Assert.Equal("https://example.org/paper/trace-1.html#s-12", live.QuerySelector("[data-testid=snapshot-link]")!.GetAttribute("href"));
        Assert.Null(unlinked.QuerySelector("[data-testid=snapshot-link]"));
        Assert.NotNull(published.QuerySelector("#s-12"));
        Assert.Equal("https://traces.example.org/traces/1", back.AbsoluteUri);
        Assert.Equal(HttpStatusCode.OK, backPage.StatusCode);
        // The script links each selected sentence to /traces/<id>/sentences/<index> under this address.
        Assert.Equal("https://traces.example.org", published.QuerySelector("[data-testid=detail]")!.GetAttribute("data-live"));
    }

    [Fact]
    public void TheSnapshotAddressForLiveLinksMustBeAnAddress()
    {
        using var app = new TestApp().WithSetting("Snapshot:BaseUrl", "not an address");

        var error = Record.Exception(() => app.CreateClient());

        var invalid = Assert.IsType<OptionsValidationException>(error is AggregateException many ? many.InnerExceptions.Single() : error);
        Assert.Equal(nameof(SnapshotOptions), invalid.OptionsType.Name);
        Assert.Contains("BaseUrl", invalid.Message);
    }

    [Fact]
    public void TheLiveTracePageLinksToItsSnapshotPageWhenABaseAddressIsSet()
    {
        Assert.Null(TraceViewer.Snapshot.SnapshotLinks.InSnapshot(null, 4, 2));
        Assert.Equal("https://example.org/paper/trace-4.html", TraceViewer.Snapshot.SnapshotLinks.InSnapshot("https://example.org/paper/", 4, null));
        Assert.Equal("https://example.org/paper/trace-4.html#s-2", TraceViewer.Snapshot.SnapshotLinks.InSnapshot("https://example.org/paper", 4, 2));
    }
}
