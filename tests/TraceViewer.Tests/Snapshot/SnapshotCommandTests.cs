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
using TraceViewer.Tags;
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
            "thought-anchors-viewer/qwq-32b/yes_base_solution", "1", Data.HostileDatasetKey, Data.StudyDatasetKey, Data.AnalysedDatasetKey, Folder, "--live-url", "https://traces.example.org/");
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
        Assert.Contains($"study-{snapshot.Data.AnalysedDatasetId}.html", files);
        // Two fixture traces, the hostile one, the study's 19 and the analysed study's 4.
        var traces = files.Where(f => Regex.IsMatch(f, @"^trace-\d+\.html$")).ToList();
        Assert.Equal(26, traces.Count);
        Assert.All(traces, t => Assert.Contains("data/" + t.Replace(".html", ".json", StringComparison.Ordinal), files));
        Assert.All(traces, t => Assert.Contains("data/" + t.Replace(".html", ".js", StringComparison.Ordinal), files));
        Assert.Contains("trace 1/26: ", snapshot.Error, StringComparison.Ordinal);
        Assert.Contains("trace 26/26: ", snapshot.Error, StringComparison.Ordinal);
        Assert.Matches(@"published 26 traces of 5 datasets to .+: \d+ files, [\d,]+ bytes, \d+ ms", snapshot.Output);
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
    public async Task TheDataHoldsEveryTagWithItsAnnotatorAndTheWorkbenchLayers()
    {
        var id = snapshot.Data.HostileTraceId;
        var index = SnapshotSeeder.HostileIndex;
        var data = JsonNode.Parse(snapshot.Read($"data/trace-{id}.json"))!;

        // Every tag on the sentence, with who gave it and their note, as the live sentence detail lists them.
        var tags = data["document"]!["sentences"]![index]!["tags"]!.AsArray()
            .Select(t => (Tag: t!["tag"]!.GetValue<string>(), Kind: t["annotatorKind"]!.GetValue<string>(), By: t["annotator"]!.GetValue<string>(), Note: t["note"]?.GetValue<string>()))
            .ToList();
        Assert.Contains(("active_computation", "Import", "viewer-bundle", (string?)null), tags);
        Assert.Contains(("active_computation", "Person", "bob", (string?)null), tags);
        Assert.Contains(("plan_generation", "Person", "alice", (string?)null), tags);
        Assert.Contains((SnapshotSeeder.HostileTag, "Person", "alice", (string?)("alice: " + SnapshotSeeder.HostileNote)), tags);
        Assert.Contains((SnapshotSeeder.HostileTag, "Person", "bob", (string?)("bob: " + SnapshotSeeder.HostileNote)), tags);

        // The layers: the functions taxonomy's everyone's and consensus layers are what the live workbench shows a reader.
        var layers = data["tags"]!.AsArray();
        Assert.Equal([BuiltInTaxonomies.Functions, SnapshotSeeder.HostileTaxonomy], layers.Select(l => l!["taxonomy"]!["name"]!.GetValue<string>()));
        var functions = layers[0]!;
        List<(string, int, int, string)> Chips(string layer) => [.. functions[layer]![index.ToString(System.Globalization.CultureInfo.InvariantCulture)]!.AsArray()
            .Select(c => (c!["name"]!.GetValue<string>(), c["annotators"]!.GetValue<int>(), c["of"]!.GetValue<int>(), c["by"]!.GetValue<string>()))];
        // In hotkey order, as the workbench lists them.
        Assert.Equal([("plan_generation", 1, 3, "Person:alice"), ("active_computation", 2, 3, "Import:viewer-bundle, Person:bob")], Chips("everyone"));
        Assert.Equal([("active_computation", 2, 3, "Import:viewer-bundle, Person:bob")], Chips("consensus"));

        await using var scope = snapshot.App.Services.CreateAsyncScope();
        var bench = await scope.ServiceProvider.GetRequiredService<TagDesk>().LoadAsync(id, TagAuthor.Person("reader"), CancellationToken.None);
        var taxonomy = bench.Taxonomies.Single(t => t.Name == BuiltInTaxonomies.Functions);
        foreach (var (layer, name) in new[] { (TagLayer.Everyone, "everyone"), (TagLayer.Consensus, "consensus") })
        {
            var live = TagLayers.Show(bench.Rows, taxonomy, TagAuthor.Person("reader"), layer, hideOthers: false);
            Assert.True(JsonNode.DeepEquals(JsonSerializer.SerializeToNode(live, SnapshotBuilder.Json), functions[name]), $"{name} layer of trace {id}");
        }

        // The page marks the sentence with its chips, the everyone's layer of the first taxonomy shown.
        var page = ComponentRenderer.Parse(snapshot.Read($"trace-{id}.html"));
        var shown = page.QuerySelectorAll($"#s-{index} .chips:not([hidden]) .tag-chip").Select(c => (c.GetAttribute("data-tag"), c.GetAttribute("data-by"), c.TextContent)).ToList();
        Assert.Equal([("plan_generation", "Person:alice", "plan generation1/3"), ("active_computation", "Import:viewer-bundle, Person:bob", "active computation2/3")], shown);
        Assert.Equal(2, page.QuerySelectorAll("[data-testid=tag-legend]").Length);
    }

    [Fact]
    public void HostileTagNamesAndNotesComeOutEscaped()
    {
        var id = snapshot.Data.HostileTraceId;
        var html = snapshot.Read($"trace-{id}.html");
        var script = snapshot.Read($"data/trace-{id}.js");
        var json = snapshot.Read($"data/trace-{id}.json");

        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>kinds", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=&quot;window.__pwned = &#x27;tag&#x27;&quot;&gt;", html, StringComparison.Ordinal);
        Assert.Contains("Reader &lt;b&gt;kinds&lt;/b&gt;", html, StringComparison.Ordinal);
        // The notes are data for the script, which shows them as text; in the script file nothing can end it or open a tag.
        foreach (var text in new[] { script, json })
        {
            Assert.DoesNotContain("</script>", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>", text, StringComparison.Ordinal);
        }

        Assert.Contains("bob: " + SnapshotSeeder.HostileNote, JsonNode.Parse(json)!["document"]!["sentences"]![SnapshotSeeder.HostileIndex]!["tags"]!.AsArray()
            .Select(t => t!["note"]?.GetValue<string>()));
        Assert.DoesNotContain("window.__pwned = 'note'", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTraceAnalysesAreTheLiveAnalysisServiceNumbers()
    {
        using var client = snapshot.App.CreateClient();
        foreach (var id in snapshot.Data.AnalysedTraceIds.Append(1).Append(snapshot.Data.HostileTraceId))
        {
            var live = await client.GetFromJsonAsync<JsonNode>($"/api/traces/{id}/analyses");
            var shown = JsonNode.Parse(snapshot.Read($"data/trace-{id}.json"))!["analysis"];

            // The last analysed trace has no metrics: nothing to analyse, there as here.
            Assert.Equal(id == snapshot.Data.AnalysedTraceIds[^1], live!["analysis"]!["concentration"]!.AsArray().Count == 0);
            Assert.True(JsonNode.DeepEquals(live, shown), $"analyses of trace {id}: {live.ToJsonString()} / {shown?.ToJsonString()}");
        }

        // The page's table and correlation read the same numbers (two of the traces have both outcomes).
        var traceId = snapshot.Data.AnalysedTraceIds[0];
        await using var scope = snapshot.App.Services.CreateAsyncScope();
        var view = (await scope.ServiceProvider.GetRequiredService<TraceViewer.Analyses.AnalysisQueries>().TraceAsync(traceId, CancellationToken.None))!;
        var page = ComponentRenderer.Parse(snapshot.Read($"trace-{traceId}.html"));
        Assert.NotNull(view.Analysis.Correlation!.Pearson);
        Assert.Equal(TraceViewer.Analyses.TraceAnalyses.Number(view.Analysis.Correlation.Pearson), page.QuerySelector("[data-testid=pearson]")!.TextContent);
        Assert.Equal(TraceViewer.Analyses.TraceAnalyses.Number(view.Analysis.Correlation.Spearman), page.QuerySelector("[data-testid=spearman]")!.TextContent);
        foreach (var c in view.Analysis.Concentration)
        {
            Assert.Equal(c.Top.Select(t => TraceViewer.Analyses.TraceAnalyses.Percent(t.Share)),
                page.QuerySelectorAll($"[data-testid=concentration-table] tr[data-outcome={c.Outcome}] td").Select(td => td.TextContent));
        }

        Assert.NotNull(page.QuerySelector("[data-testid=analysis-chart]"));
        var figure = JsonNode.Parse(snapshot.Read($"data/trace-{traceId}.json"))!["analysisFigure"]!;
        Assert.Equal(view.Analysis.Pairs.Count, figure["points"]!.AsArray().Sum(p => p!.AsArray().Count));
    }

    [Fact]
    public async Task TheStudyPageCarriesTheLiveStudyAnalysesAndEveryPair()
    {
        var id = snapshot.Data.AnalysedDatasetId;
        using var client = snapshot.App.CreateClient();
        var live = await client.GetFromJsonAsync<JsonNode>($"/api/datasets/{id}/study/analyses");
        var pairs = await client.GetFromJsonAsync<JsonNode>($"/api/datasets/{id}/study/pairs?pageSize=500");
        var data = JsonNode.Parse(snapshot.Read($"data/study-{id}.json"))!;
        var page = ComponentRenderer.Parse(snapshot.Read($"study-{id}.html"));

        Assert.Equal(3, live!["analysedTraces"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(live, data["analyses"]!["view"]), "study analyses");
        Assert.True(JsonNode.DeepEquals(pairs!["items"], data["analyses"]!["pairs"]), "pairs");
        Assert.Equal(2, data["analyses"]!["pairedQueries"]!.GetValue<int>());
        // The medians table has a row per condition, the pairs list a row per query; each side opens its snapshot page.
        Assert.Equal(live["conditions"]!.AsArray().Count, page.QuerySelectorAll("[data-testid=study-analyses-table] tbody tr").Length);
        Assert.Equal(2, page.QuerySelectorAll(".pair").Length);
        Assert.All(page.QuerySelectorAll("a.pair-cell"), a => Assert.Equal($"trace-{a.GetAttribute("data-trace")}.html", a.GetAttribute("href")));
        Assert.NotNull(page.QuerySelector("#study-concentration"));
        Assert.Contains("\"concentration\":{\"figure\":", snapshot.Read($"data/study-{id}.js"), StringComparison.Ordinal);
        // Without analysed traces the page says so, as the live page does.
        Assert.NotNull(ComponentRenderer.Parse(snapshot.Read($"study-{snapshot.Data.StudyDatasetId}.html")).QuerySelector("[data-testid=study-analyses-empty]"));
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
