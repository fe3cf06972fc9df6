using Stopwatch = System.Diagnostics.Stopwatch;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileProviders;
using TraceViewer.Analyses;
using TraceViewer.Components.Charts;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Studies;
using TraceViewer.Tags;
using TraceViewer.Traces;

namespace TraceViewer.Snapshot;

/// <summary>A snapshot that cannot be built; the message names what was wrong.</summary>
internal sealed class SnapshotException(string message) : Exception(message);

/// <summary>
/// Writes a static snapshot of chosen traces: an index, a study page per dataset that has a study, a page per trace,
/// the plotly bundle, and each page's data as JSON (for reuse) and as a script (so the pages work from file://, where
/// nothing may be fetched). Pages are rendered with <see cref="HtmlRenderer"/>, so every piece of model text goes
/// through Razor's encoding; the numbers come from the same queries as the live pages (the shown metric set rule of
/// <see cref="MetricSets.ShownMetricSets"/>). Everything is written to a folder beside the target and moved into place
/// at the end, so a failure leaves nothing half written.
/// </summary>
internal sealed class SnapshotBuilder(
    TraceViewerDbContext db, TraceQueries traces, StudyQueries studies, AnalysisQueries analyses, IServiceProvider services, ILoggerFactory loggers, IWebHostEnvironment environment)
{
    /// <summary>Alternatives kept per sentence: the most frequent first sentences of its resamples.</summary>
    public const int AlternativesShown = 5;

    /// <summary>The plotly bundle the live charts load (<see cref="Chart.BundlePath"/>), from the app's static web assets.</summary>
    public static readonly string BundleAsset = Chart.BundlePath.TrimStart('.', '/');

    public static readonly string BundleName = Path.GetFileName(BundleAsset);

    public static readonly string BundleScript = "assets/" + BundleName;

    /// <summary>Data as the pages read it: web names, enums as strings; non-finite numbers as named literals.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Plotly figures as the app's charts serialize them (Plotly.Blazor's own names).</summary>
    private static readonly JsonSerializerOptions FigureJson = new()
    {
        PropertyNamingPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.Default,
    };

    /// <summary>Trace ids and dataset keys, each to the trace ids it selects (ids kept in the order given).</summary>
    public async Task<IReadOnlyList<int>> ResolveAsync(IReadOnlyList<string> targets, CancellationToken ct)
    {
        var ids = new List<int>();
        var unknown = new List<string>();
        foreach (var target in targets)
        {
            if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                if (await db.Set<Trace>().AnyAsync(t => t.Id == id, ct))
                {
                    ids.Add(id);
                }
                else
                {
                    unknown.Add($"trace {target}");
                }

                continue;
            }

            var dataset = await db.Set<Dataset>().AsNoTracking().Where(d => d.Key == target).Select(d => (int?)d.Id).FirstOrDefaultAsync(ct);
            if (dataset is null)
            {
                unknown.Add($"dataset '{target}'");
                continue;
            }

            ids.AddRange(await db.Set<Trace>().AsNoTracking().Where(t => t.DatasetId == dataset).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(ct));
        }

        if (unknown.Count > 0)
        {
            throw new SnapshotException("no such " + string.Join(", ", unknown) + " (give trace ids or dataset keys)");
        }

        var distinct = ids.Distinct().ToList();
        return distinct.Count == 0 ? throw new SnapshotException("the datasets named have no traces") : distinct;
    }

    public async Task<SnapshotSummary> BuildAsync(
        IReadOnlyList<string> targets, string folder, bool force, string? liveUrl, TextWriter progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var target = Path.GetFullPath(folder);
        if (File.Exists(target))
        {
            throw new SnapshotException($"{folder} is a file, not a folder");
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !force)
        {
            throw new SnapshotException($"{folder} exists and is not empty (give --force to replace it)");
        }

        if (liveUrl is not null && !(Uri.TryCreate(liveUrl, UriKind.Absolute, out var live) && (live.Scheme == Uri.UriSchemeHttp || live.Scheme == Uri.UriSchemeHttps)))
        {
            throw new SnapshotException($"--live-url {liveUrl} is not an http(s) address");
        }

        var ids = await ResolveAsync(targets, ct);
        var bundle = environment.WebRootFileProvider.GetFileInfo(BundleAsset);
        if (!bundle.Exists)
        {
            throw new SnapshotException($"the chart bundle {BundleAsset} is not among the app's static web assets");
        }

        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var temporary = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            var links = new SnapshotLinks(liveUrl);
            var datasets = await LoadAsync(ids, temporary, links, progress, ct);
            Directory.CreateDirectory(Path.Combine(temporary, "assets"));
            await CopyAsync(bundle, Path.Combine(temporary, "assets", BundleName), ct);
            await WriteAssetAsync(temporary, "snapshot.css", ct);
            await WriteAssetAsync(temporary, "snapshot.js", ct);
            foreach (var dataset in datasets.Where(d => d.Study is not null))
            {
                await WriteStudyAsync(temporary, dataset, links, ct);
                progress.WriteLine($"study of {dataset.Dataset.Key}: {SnapshotLinks.StudyPage(dataset.Dataset.Id)}");
            }

            await WriteAsync(Path.Combine(temporary, "index.html"),
                await RenderAsync<SnapshotIndexPage>(new() { ["Datasets"] = datasets, ["Links"] = links }), ct);

            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(temporary, target);
            var files = Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories).Select(f => new FileInfo(f)).ToList();
            return new SnapshotSummary(datasets.Count, ids.Count, files.Count, files.Sum(f => f.Length), clock.Elapsed);
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
    }

    private async Task<List<SnapshotDataset>> LoadAsync(IReadOnlyList<int> ids, string folder, SnapshotLinks links, TextWriter progress, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        var loaded = new List<(SnapshotTrace Trace, string Model)>();
        var number = 0;
        foreach (var id in ids)
        {
            var started = Stopwatch.GetTimestamp();
            var document = await traces.GetTraceAsync(id, ct) ?? throw new SnapshotException($"trace {id} disappeared while the snapshot was built");
            var sentences = new List<SnapshotSentence>();
            foreach (var sentence in document.Sentences)
            {
                var resamples = await traces.GetSentenceResamplesAsync(id, sentence.Index, sentence.Text, ct);
                sentences.Add(new SnapshotSentence(sentence.Index, resamples.Count, [.. resamples.Alternatives.OrderByDescending(a => a.Count).Take(AlternativesShown)]));
            }

            // The tags of the workbench's layers and the analyses of the live trace page, from the same code.
            var tags = await TagReads.LayersAsync(db, id, ct);
            var analysis = AnalysisQueries.FromDocument(document);
            var shown = document.PrimaryOutcome(document.Dataset.PrimaryOutcome)?.Key;
            SnapshotFigure? scatter = null;
            if (analysis.Analysis.Correlation is not null && analysis.Analysis.Pairs.Count > 0)
            {
                var (built, layout) = AnalysisScatterData.Figure(analysis, document.Sentences, AnalysisScatterData.ColourKey(shown), selected: null, dark: false);
                scatter = new SnapshotFigure(Figure(built.Data, layout), built.Indices);
            }

            var trace = new SnapshotTrace(document with { Reasoning = "" }, document.Dataset.PrimaryOutcome, sentences, tags, analysis, scatter);
            var bytes = await WriteDataAsync(folder, $"trace-{id}", "traceViewerSnapshot", trace, ct);
            var page = await RenderAsync<SnapshotTracePage>(new() { ["Trace"] = trace, ["Links"] = links });
            bytes += await WriteAsync(Path.Combine(folder, SnapshotLinks.TracePage(id)), page, ct);
            var model = await db.Set<Dataset>().AsNoTracking().Where(d => d.Id == document.Dataset.Id).Select(d => d.Model).FirstAsync(ct);
            loaded.Add((trace, model));
            number++;
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trace {number}/{ids.Count}: {id} ({document.Sentences.Count} sentences) {bytes:N0} bytes, {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms"));
        }

        var datasets = new List<SnapshotDataset>();
        foreach (var group in loaded.GroupBy(t => t.Trace.Document.Dataset.Id))
        {
            var first = group.First().Trace.Document.Dataset;
            var study = await studies.HasStudyAsync(first.Id, ct) ? await studies.LoadAsync(first.Id, ct) : null;
            var studyAnalyses = study is { CanCompare: true } ? await StudyAnalysesAsync(first.Id, ct) : null;
            datasets.Add(new SnapshotDataset(first, group.First().Model, [.. group.Select(t => t.Trace)], study, studyAnalyses));
        }

        return datasets;
    }

    /// <summary>The study page's analyses and every page of its free/paid pairs, as the live page reads them.</summary>
    private async Task<SnapshotStudyAnalyses?> StudyAnalysesAsync(int datasetId, CancellationToken ct)
    {
        if (await analyses.StudyAsync(datasetId, ct) is not { } view)
        {
            return null;
        }

        var pairs = new List<Statistics.Analyses.PairedQuery>();
        var paired = 0;
        for (var page = 1; ; page++)
        {
            var part = await analyses.PairsAsync(datasetId, page, AnalysisQueries.MaxPairsPageSize, ct);
            if (part is null)
            {
                return null;
            }

            pairs.AddRange(part.Items);
            paired = part.Paired;
            if (part.Page >= part.PageCount)
            {
                break;
            }
        }

        SnapshotFigure? Strips(StudyStripData.Built built) => new(Figure(built.Data, built.Layout), built.TraceIds);
        return view.AnalysedTraces == 0
            ? new SnapshotStudyAnalyses(view, null, null, pairs, paired)
            : new SnapshotStudyAnalyses(view, Strips(StudyStripData.Concentration(view, dark: false)), Strips(StudyStripData.Correlation(view, dark: false)), pairs, paired);
    }

    /// <summary>A figure as the app's chart serializes it (Plotly.Blazor's own names).</summary>
    private static JsonElement Figure(IEnumerable<Plotly.Blazor.ITrace> data, Plotly.Blazor.Layout layout) =>
        JsonDocument.Parse("{\"data\":[" + string.Join(",", data.Select(trace => JsonSerializer.Serialize<object>(trace, FigureJson)))
            + "],\"layout\":" + JsonSerializer.Serialize<object>(layout, FigureJson) + "}").RootElement.Clone();

    private async Task WriteStudyAsync(string folder, SnapshotDataset dataset, SnapshotLinks links, CancellationToken ct)
    {
        var study = dataset.Study!;
        var (data, _) = StudyChartData.Build(study, null, dark: false);
        // The figure the live study page draws, serialized the way its chart does.
        var figure = Figure(data, StudyChartData.Layout());
        var name = $"study-{dataset.Dataset.Id}";
        var analysesData = dataset.Analyses is { } a
            ? new { a.View, a.Pairs, a.PairedQueries, traces = dataset.Traces.Select(t => t.Document.Id).ToList() }
            : null;
        // The study as before, with the analyses beside its fields.
        var json = JsonSerializer.SerializeToNode(study, Json)!.AsObject();
        json["analyses"] = JsonSerializer.SerializeToNode(analysesData, Json);
        await WriteAsync(Path.Combine(folder, "data", name + ".json"), json.ToJsonString(Json), ct);
        await WriteAsync(Path.Combine(folder, "data", name + ".js"),
            "window.traceViewerSnapshot = " + JsonSerializer.Serialize(new
            {
                study, figure, analyses = analysesData,
                concentration = dataset.Analyses?.Concentration, correlation = dataset.Analyses?.Correlation,
            }, Json) + ";\n", ct);
        await WriteAsync(Path.Combine(folder, SnapshotLinks.StudyPage(dataset.Dataset.Id)),
            await RenderAsync<SnapshotStudyPage>(new() { ["Dataset"] = dataset, ["Links"] = links }), ct);
    }

    /// <summary>The data as JSON (for reuse) and as a script that sets it on window (for the page, also from file://).</summary>
    private static async Task<long> WriteDataAsync(string folder, string name, string variable, object value, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(value, Json);
        return await WriteAsync(Path.Combine(folder, "data", name + ".json"), json, ct)
            + await WriteAsync(Path.Combine(folder, "data", name + ".js"), $"window.{variable} = {json};\n", ct);
    }

    private static async Task<long> WriteAsync(string path, string text, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await File.WriteAllBytesAsync(path, bytes, ct);
        return bytes.Length;
    }

    private static async Task WriteAssetAsync(string folder, string name, CancellationToken ct)
    {
        await using var source = typeof(SnapshotBuilder).Assembly.GetManifestResourceStream("TraceViewer.Snapshot.Assets." + name)
            ?? throw new SnapshotException($"the snapshot asset {name} is missing from the app");
        await using var target = File.Create(Path.Combine(folder, "assets", name));
        await source.CopyToAsync(target, ct);
    }

    /// <summary>
    /// Copies a static web asset: under `dotnet run` and in tests it lives in the NuGet package folder (the build's
    /// static web assets manifest says where), in a published app under wwwroot/_content.
    /// </summary>
    private static async Task CopyAsync(IFileInfo asset, string path, CancellationToken ct)
    {
        await using var source = asset.CreateReadStream();
        await using var target = File.Create(path);
        await source.CopyToAsync(target, ct);
    }

    private async Task<string> RenderAsync<TComponent>(Dictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(services, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });
    }
}
