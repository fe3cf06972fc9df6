using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceViewer.Import;

/// <summary>
/// TraceViewer's own line format (docs/formats/native-jsonl.md): a header line, then outcome, taxonomy, dataset, trace,
/// resample, metricSet, links and sentenceTag lines. Everything a trace owns survives an export and re-import.
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

        public Tags.ImportedTaxonomy? Taxonomy { get; set; }

        public Tags.ImportedSentenceTag? SentenceTag { get; set; }
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

    public void WriteTaxonomy(Tags.ImportedTaxonomy taxonomy) => Write(new NativeJsonl.Line { Type = "taxonomy", Taxonomy = taxonomy });

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

        foreach (var tag in trace.SentenceTags)
        {
            Write(new NativeJsonl.Line { Type = "sentenceTag", DatasetKey = key, TraceKey = trace.ExternalKey, SentenceTag = tag });
        }
    }

    private void Write(NativeJsonl.Line line)
    {
        _writer.Write(JsonSerializer.Serialize(line, NativeJsonl.Options));
        _writer.Write('\n');
    }

    public void Dispose() => _writer.Dispose();
}

/// <summary>
/// Reads a native JSONL file line by line, so memory follows the longest line (at most
/// <see cref="ImportOptions.MaxLineBytes"/>), not the file; errors name the line and the JSON path inside it.
/// </summary>
internal static class NativeJsonlReader
{
    /// <summary>
    /// Reading is strict where writing is lenient: a number must be a JSON number (the strings "NaN" and "Infinity" are
    /// refused by name), a null where the format has no null is refused, and enumerations are names.
    /// </summary>
    private static readonly JsonSerializerOptions ReadOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectNullableAnnotations = true,
        MaxDepth = 1024,
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
    };

    private sealed class TraceBuilder(ImportedTrace trace)
    {
        public ImportedTrace Trace { get; } = trace;

        public List<ImportedResample> Resamples { get; } = [];

        public HashSet<(int, int)> ResampleKeys { get; } = [];

        public List<ImportedMetricSet> MetricSets { get; } = [];

        public List<ImportedLink> Links { get; } = [];

        public HashSet<(string, int, int)> LinkKeys { get; } = [];

        public List<Tags.ImportedSentenceTag> SentenceTags { get; } = [];

        public HashSet<(int, string, string, Tags.AnnotatorKind, string)> TagKeys { get; } = [];

        public HashSet<int> SentenceIndices { get; } = [.. trace.Sentences.Select(s => s.Index)];

        public ImportedTrace Build() => Trace with { Resamples = Resamples, MetricSets = MetricSets, Links = Links, SentenceTags = SentenceTags };
    }

    /// <summary>What one native file holds.</summary>
    public sealed record Contents(List<ImportedOutcome> Outcomes, List<ImportedTrace> Traces, List<Tags.ImportedTaxonomy> Taxonomies);

    public static Contents Read(string fullPath, string relativePath, List<string> warnings, ImportOptions? limits = null)
    {
        limits ??= new ImportOptions();
        var outcomes = new List<ImportedOutcome>();
        var taxonomies = new List<Tags.ImportedTaxonomy>();
        var datasets = new Dictionary<string, ImportedDataset>(StringComparer.Ordinal);
        var traces = new Dictionary<(string, string), TraceBuilder>();
        using var stream = SourceBytes.Open(fullPath, relativePath);
        var lines = new JsonlLines(stream, relativePath, limits.MaxLineBytes);
        var sawHeader = false;
        var undefined = 0;
        while (lines.TryRead(out var bytes))
        {
            var lineNumber = lines.LineNumber;
            SourceBytes.CheckUtf8(bytes.Span, relativePath, lines.LineOffset, lineNumber);
            if (bytes.Span.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            JsonLimits.Check(bytes.Span, relativePath, limits, lineNumber);
            NativeJsonl.Line line;
            try
            {
                line = JsonSerializer.Deserialize<NativeJsonl.Line>(bytes.Span, ReadOptions)
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
                    var outcome = line.Outcome ?? throw Error("outcome", "missing required field");
                    ImportChecks.RequiredText(outcome.Key, "outcome.key", Error);
                    ImportChecks.RequiredText(outcome.Name, "outcome.name", Error);
                    outcomes.Add(outcome);
                    break;
                case "dataset":
                    var dataset = line.Dataset ?? throw Error("dataset", "missing required field");
                    ImportChecks.RequiredText(dataset.Key, "dataset.key", Error);
                    ImportChecks.Required(dataset.Name, "dataset.name", Error);
                    ImportChecks.Required(dataset.Model, "dataset.model", Error);
                    if (dataset.Kind == default)
                    {
                        throw Error("dataset.kind", "missing required field");
                    }

                    ImportChecks.RequiredText(dataset.SourceFormat, "dataset.sourceFormat", Error);
                    datasets[dataset.Key] = dataset;
                    break;
                case "trace":
                    var trace = line.Trace ?? throw Error("trace", "missing required field");
                    if (line.DatasetKey is null || !datasets.TryGetValue(line.DatasetKey, out var owner))
                    {
                        throw Error("datasetKey", $"dataset '{line.DatasetKey}' must be declared on a dataset line before its traces");
                    }

                    trace = ImportChecks.TraceFields(trace, "trace.", Error);
                    ImportChecks.Sentences(trace.Sentences, trace.Reasoning, trace.SourceFormat, limits, "trace.sentences", Error);
                    if (!traces.TryAdd((owner.Key, trace.ExternalKey), new TraceBuilder(trace with { Dataset = owner })))
                    {
                        throw Error("trace.externalKey", $"trace '{trace.ExternalKey}' appears twice in dataset '{owner.Key}'");
                    }

                    break;
                case "resample":
                    var resample = line.Resample ?? throw Error("resample", "missing required field");
                    var resampleOwner = Owner();
                    ImportChecks.Resample(resample, limits, "resample.", Error);
                    if (!resampleOwner.ResampleKeys.Add((resample.Position, resample.SampleIndex)))
                    {
                        throw Error("resample", ImportChecks.DuplicateResample(resample));
                    }

                    resampleOwner.Resamples.Add(resample);
                    break;
                case "metricSet":
                    var set = line.MetricSet ?? throw Error("metricSet", "missing required field");
                    var setOwner = Owner();
                    setOwner.MetricSets.Add(ImportChecks.MetricSet(set, limits, "metricSet.", Error, out var dropped));
                    undefined += dropped;
                    break;
                case "links":
                    var linkOwner = Owner();
                    var kind = line.Kind ?? throw Error("kind", "missing required field");
                    var cells = line.Links ?? [];
                    for (var i = 0; i < cells.Count; i++)
                    {
                        if (cells[i] is not [var source, var target, var score] || !IsIndex(source) || !IsIndex(target))
                        {
                            throw Error($"links[{i}]", "expected [source index, target index, score] with whole-number indexes");
                        }

                        var link = new ImportedLink(kind, (int)source, (int)target, score);
                        ImportChecks.Link(link, limits, $"links[{i}].", Error);
                        if (!linkOwner.LinkKeys.Add((kind, link.SourceIndex, link.TargetIndex)))
                        {
                            throw Error($"links[{i}]", ImportChecks.DuplicateLink(link));
                        }

                        if (double.IsFinite(score))
                        {
                            linkOwner.Links.Add(link);
                        }
                        else
                        {
                            undefined++;
                        }
                    }

                    break;
                case "taxonomy":
                    var taxonomy = Tags.TagChecks.Taxonomy(line.Taxonomy ?? throw Error("taxonomy", "missing required field"), "taxonomy.", Error);
                    if (taxonomies.Any(t => t.Name == taxonomy.Name))
                    {
                        throw Error("taxonomy.name", $"taxonomy '{taxonomy.Name}' appears twice");
                    }

                    taxonomies.Add(taxonomy);
                    break;
                case "sentenceTag":
                    var tagOwner = Owner();
                    var tag = Tags.TagChecks.SentenceTag(line.SentenceTag ?? throw Error("sentenceTag", "missing required field"), "sentenceTag.", Error);
                    if (!tagOwner.SentenceIndices.Contains(tag.Sentence))
                    {
                        throw Error("sentenceTag.sentence", $"trace '{tagOwner.Trace.ExternalKey}' has no sentence {tag.Sentence}");
                    }

                    if (!tagOwner.TagKeys.Add((tag.Sentence, tag.Taxonomy, tag.Tag, tag.AnnotatorKind, tag.Annotator)))
                    {
                        throw Error("sentenceTag", $"tag '{tag.Tag}' of '{tag.Taxonomy}' by {tag.AnnotatorKind} '{tag.Annotator}' is on sentence {tag.Sentence} twice");
                    }

                    tagOwner.SentenceTags.Add(tag);
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

        if (undefined > 0)
        {
            warnings.Add(ImportChecks.UndefinedWarning(relativePath, undefined));
        }

        return new Contents(outcomes, [.. traces.Values.Select(t => t.Build())], taxonomies);
    }

    /// <summary>A whole number an int can hold (negative ones are refused by name afterwards).</summary>
    private static bool IsIndex(double value) => double.IsFinite(value) && value == Math.Floor(value) && value is >= int.MinValue and <= int.MaxValue;
}

/// <summary>
/// Lines of a UTF-8 file as bytes, each at most <c>maxLineBytes</c> long: a longer line is refused as soon as that
/// many bytes have been read without a line end, so a 100 MB line costs the limit, not its own size. A byte-order
/// mark at the start is skipped; "\r\n" line ends lose their "\r".
/// </summary>
internal sealed class JsonlLines(Stream stream, string relativePath, int maxLineBytes)
{
    private byte[] _buffer = new byte[Math.Min(64 * 1024, maxLineBytes + 2)];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _started;
    private long _offset;

    /// <summary>1-based number of the line last read.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Byte offset in the file of the line last read.</summary>
    public long LineOffset { get; private set; }

    public bool TryRead(out ReadOnlyMemory<byte> line)
    {
        var searched = 0;
        while (true)
        {
            var newline = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf((byte)'\n');
            if (newline >= 0 || (_eof && _end > _start))
            {
                var length = newline >= 0 ? searched + newline : _end - _start;
                LineNumber++;
                if (length > maxLineBytes)
                {
                    throw TooLong();
                }

                var content = length > 0 && _buffer[_start + length - 1] == (byte)'\r' ? length - 1 : length;
                line = _buffer.AsMemory(_start, content);
                LineOffset = _offset;
                var consumed = newline >= 0 ? length + 1 : length;
                _start += consumed;
                _offset += consumed;
                return true;
            }

            if (_eof)
            {
                line = default;
                return false;
            }

            searched = _end - _start;
            if (searched > maxLineBytes)
            {
                LineNumber++;
                throw TooLong();
            }

            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            // Room for one byte past the limit, which is how a line over it is recognised.
            Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, maxLineBytes + 2L));
        }

        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
            return;
        }

        _end += read;
        if (!_started && _end >= 3)
        {
            _started = true;
            var bom = SourceBytes.BomLength(_buffer.AsSpan(0, _end));
            _start += bom;
            _offset += bom;
        }
    }

    private ImportException TooLong() =>
        new(relativePath, null, LineNumber, $"the line is longer than {ImportOptions.Limit(nameof(ImportOptions.MaxLineBytes), maxLineBytes)}");
}
