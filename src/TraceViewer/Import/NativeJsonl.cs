using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceViewer.Import;

/// <summary>
/// TraceViewer's own line format (docs/formats/native-jsonl.md): a header line, then outcome, dataset, trace,
/// resample, metricSet and links lines. Everything a trace owns survives an export and re-import.
/// </summary>
internal static class NativeJsonl
{
    public const string Format = "traceviewer";
    public const int Version = 1;

    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>One line of the file; which members are set depends on <see cref="Type"/>.</summary>
    internal sealed class Line
    {
        public string? Format { get; set; }

        public int? Version { get; set; }

        public string? Type { get; set; }

        public ImportedOutcome? Outcome { get; set; }

        public ImportedDataset? Dataset { get; set; }

        public string? DatasetKey { get; set; }

        public string? TraceKey { get; set; }

        public ImportedTrace? Trace { get; set; }

        public ImportedResample? Resample { get; set; }

        public ImportedMetricSet? MetricSet { get; set; }

        public string? Kind { get; set; }

        /// <summary>Sparse matrix cells as [source, target, score].</summary>
        public List<double[]>? Links { get; set; }
    }

    public static bool HasHeader(string firstLine)
    {
        try
        {
            var header = JsonSerializer.Deserialize<Line>(firstLine, Options);
            return header?.Format == Format;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>Writes traces to the native format, one JSON object per line.</summary>
internal sealed class NativeJsonlWriter(Stream stream) : IDisposable
{
    private readonly StreamWriter _writer = new(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };

    public void WriteHeader() => Write(new NativeJsonl.Line { Format = NativeJsonl.Format, Version = NativeJsonl.Version });

    public void WriteOutcome(ImportedOutcome outcome) => Write(new NativeJsonl.Line { Type = "outcome", Outcome = outcome });

    public void WriteDataset(ImportedDataset dataset) => Write(new NativeJsonl.Line { Type = "dataset", Dataset = dataset });

    public void WriteTrace(ImportedTrace trace)
    {
        var key = trace.Dataset.Key;
        Write(new NativeJsonl.Line { Type = "trace", DatasetKey = key, Trace = trace with { Resamples = [], MetricSets = [], Links = [] } });
        foreach (var resample in trace.Resamples)
        {
            Write(new NativeJsonl.Line { Type = "resample", DatasetKey = key, TraceKey = trace.ExternalKey, Resample = resample });
        }

        foreach (var set in trace.MetricSets)
        {
            Write(new NativeJsonl.Line { Type = "metricSet", DatasetKey = key, TraceKey = trace.ExternalKey, MetricSet = set });
        }

        foreach (var group in trace.Links.GroupBy(l => l.Kind))
        {
            Write(new NativeJsonl.Line
            {
                Type = "links",
                DatasetKey = key,
                TraceKey = trace.ExternalKey,
                Kind = group.Key,
                Links = [.. group.Select(l => new[] { l.SourceIndex, l.TargetIndex, l.Score })],
            });
        }
    }

    private void Write(NativeJsonl.Line line)
    {
        _writer.Write(JsonSerializer.Serialize(line, NativeJsonl.Options));
        _writer.Write('\n');
    }

    public void Dispose() => _writer.Dispose();
}

/// <summary>Reads a native JSONL file; errors name the line and the JSON path inside it.</summary>
internal static class NativeJsonlReader
{
    private sealed class TraceBuilder(ImportedTrace trace)
    {
        public ImportedTrace Trace { get; } = trace;

        public List<ImportedResample> Resamples { get; } = [];

        public List<ImportedMetricSet> MetricSets { get; } = [];

        public List<ImportedLink> Links { get; } = [];

        public ImportedTrace Build() => Trace with { Resamples = Resamples, MetricSets = MetricSets, Links = Links };
    }

    public static (List<ImportedOutcome> Outcomes, List<ImportedTrace> Traces) Read(string fullPath, string relativePath, List<string> warnings)
    {
        var outcomes = new List<ImportedOutcome>();
        var datasets = new Dictionary<string, ImportedDataset>(StringComparer.Ordinal);
        var traces = new Dictionary<(string, string), TraceBuilder>();
        using var reader = new StreamReader(fullPath, Encoding.UTF8);
        var lineNumber = 0;
        var sawHeader = false;
        while (reader.ReadLine() is { } text)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            NativeJsonl.Line line;
            try
            {
                line = JsonSerializer.Deserialize<NativeJsonl.Line>(text, NativeJsonl.Options)
                    ?? throw new ImportException(relativePath, null, lineNumber, "expected a JSON object, found null");
            }
            catch (JsonException e)
            {
                throw SourceJson.FromJsonException(e, relativePath, lineNumber - 1);
            }

            ImportException Error(string? field, string detail) => new(relativePath, field, lineNumber, detail);

            if (!sawHeader)
            {
                if (line.Format != NativeJsonl.Format)
                {
                    throw Error("format", $"the first line must be the header {{\"format\":\"{NativeJsonl.Format}\",\"version\":{NativeJsonl.Version}}}");
                }

                if (line.Version is not NativeJsonl.Version)
                {
                    throw Error("version", $"unsupported version {line.Version}; this build reads version {NativeJsonl.Version}");
                }

                sawHeader = true;
                continue;
            }

            TraceBuilder Owner()
            {
                if (line.DatasetKey is null || line.TraceKey is null)
                {
                    throw Error(line.DatasetKey is null ? "datasetKey" : "traceKey", "missing required field");
                }

                return traces.TryGetValue((line.DatasetKey, line.TraceKey), out var owner)
                    ? owner
                    : throw Error("traceKey", $"trace '{line.TraceKey}' of dataset '{line.DatasetKey}' must come before its {line.Type} lines");
            }

            switch (line.Type)
            {
                case "outcome":
                    outcomes.Add(line.Outcome ?? throw Error("outcome", "missing required field"));
                    break;
                case "dataset":
                    var dataset = line.Dataset ?? throw Error("dataset", "missing required field");
                    datasets[dataset.Key] = dataset;
                    break;
                case "trace":
                    var trace = line.Trace ?? throw Error("trace", "missing required field");
                    if (line.DatasetKey is null || !datasets.TryGetValue(line.DatasetKey, out var owner))
                    {
                        throw Error("datasetKey", $"dataset '{line.DatasetKey}' must be declared on a dataset line before its traces");
                    }

                    if (!traces.TryAdd((owner.Key, trace.ExternalKey), new TraceBuilder(trace with { Dataset = owner })))
                    {
                        throw Error("trace.externalKey", $"trace '{trace.ExternalKey}' appears twice in dataset '{owner.Key}'");
                    }

                    break;
                case "resample":
                    Owner().Resamples.Add(line.Resample ?? throw Error("resample", "missing required field"));
                    break;
                case "metricSet":
                    Owner().MetricSets.Add(line.MetricSet ?? throw Error("metricSet", "missing required field"));
                    break;
                case "links":
                    var links = Owner().Links;
                    var kind = line.Kind ?? throw Error("kind", "missing required field");
                    var cells = line.Links ?? [];
                    for (var i = 0; i < cells.Count; i++)
                    {
                        if (cells[i] is not [var source, var target, var score] || source != Math.Floor(source) || target != Math.Floor(target))
                        {
                            throw Error($"links[{i}]", "expected [source index, target index, score]");
                        }

                        links.Add(new ImportedLink(kind, (int)source, (int)target, score));
                    }

                    break;
                default:
                    warnings.Add($"{relativePath}, line {lineNumber}: unknown line type '{line.Type}' skipped");
                    break;
            }
        }

        if (!sawHeader)
        {
            throw new ImportException(relativePath, null, null, "empty file: expected the header line");
        }

        return (outcomes, [.. traces.Values.Select(t => t.Build())]);
    }
}
