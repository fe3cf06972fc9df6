using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using TraceViewer.Collect;
using TraceViewer.Import;

namespace TraceViewer.Tags;

internal enum TagFileFormat
{
    Csv,
    Jsonl,
}

/// <summary>
/// Tag files (docs/formats/tags.md): one row per tag on a sentence, as CSV with a header row or as JSONL with one
/// object per line, with the same columns. Reading is strict: every error names the file, the line and the column.
/// </summary>
internal static class TagFile
{
    public static readonly IReadOnlyList<string> Columns = ["dataset", "trace", "sentence", "text", "taxonomy", "tag", "annotatorKind", "annotator", "time", "note"];

    private static readonly HashSet<string> Optional = ["text", "time", "note"];

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The format a file name asks for: .csv or .jsonl.</summary>
    public static TagFileFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => TagFileFormat.Csv,
        ".jsonl" => TagFileFormat.Jsonl,
        _ => null,
    };

    public static void Write(TextWriter writer, TagFileFormat format, IEnumerable<TagRow> rows)
    {
        if (format == TagFileFormat.Csv)
        {
            CsvText.Write(writer, rows.Select(Fields).Prepend<IReadOnlyList<string?>>(Columns), newLine: "\n");
            return;
        }

        foreach (var row in rows)
        {
            writer.Write(JsonSerializer.Serialize(row, WriteOptions));
            writer.Write('\n');
        }
    }

    private static string?[] Fields(TagRow row) =>
    [
        row.Dataset, row.Trace, row.Sentence.ToString(CultureInfo.InvariantCulture), row.Text, row.Taxonomy, row.Tag,
        row.AnnotatorKind.ToString(), row.Annotator, row.Time is { } t ? Time(t) : null, row.Note,
    ];

    public static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Reads a whole tag file; <paramref name="relativePath"/> is how errors name it.</summary>
    public static List<TagFileRow> Read(string fullPath, string relativePath, TagFileFormat format, ImportOptions limits) =>
        format == TagFileFormat.Csv ? ReadCsv(fullPath, relativePath, limits) : ReadJsonl(fullPath, relativePath, limits);

    private static List<TagFileRow> ReadCsv(string fullPath, string relativePath, ImportOptions limits)
    {
        var bytes = SourceBytes.ReadFile(fullPath, relativePath, limits);
        SourceBytes.CheckUtf8(bytes, relativePath, 0, 1);
        IReadOnlyList<CsvRecord> records;
        try
        {
            records = CsvText.Parse(Encoding.UTF8.GetString(bytes), relativePath);
        }
        catch (CsvFormatException e)
        {
            throw new ImportException(relativePath, null, e.Line, e.Detail, e);
        }

        if (records.Count == 0)
        {
            throw new ImportException(relativePath, null, null, $"empty file: expected a header row ({string.Join(',', Columns)})");
        }

        var header = records[0];
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Fields.Count; i++)
        {
            var name = header.Fields[i].Trim();
            if (!Columns.Contains(name))
            {
                throw new ImportException(relativePath, name, header.Line, $"unknown column (the columns are {string.Join(", ", Columns)})");
            }

            if (!columns.TryAdd(name, i))
            {
                throw new ImportException(relativePath, name, header.Line, "the column appears twice");
            }
        }

        if (Columns.FirstOrDefault(c => !Optional.Contains(c) && !columns.ContainsKey(c)) is { } missing)
        {
            throw new ImportException(relativePath, missing, header.Line, "missing required column");
        }

        var rows = new List<TagFileRow>(records.Count - 1);
        foreach (var record in records.Skip(1))
        {
            if (record.Fields.Count != header.Fields.Count)
            {
                throw new ImportException(relativePath, null, record.Line, $"{record.Fields.Count} fields where the header has {header.Fields.Count}");
            }

            string? Field(string name) => columns.TryGetValue(name, out var i) && record.Fields[i].Length > 0 ? record.Fields[i] : null;
            ImportException Error(string field, string detail) => new(relativePath, field, record.Line, detail);
            var sentence = Field("sentence");
            if (sentence is null || !int.TryParse(sentence, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw Error("sentence", sentence is null ? "missing required field" : $"'{Shorten(sentence)}' is not a sentence index (a whole number, 0 or more)");
            }

            rows.Add(new TagFileRow(record.Line, Check(
                Field("dataset"), Field("trace"), index, Field("text"), Field("taxonomy"), Field("tag"), Field("annotatorKind"), Field("annotator"), Field("time"), Field("note"),
                Error)));
        }

        return rows;
    }

    private static List<TagFileRow> ReadJsonl(string fullPath, string relativePath, ImportOptions limits)
    {
        using var stream = SourceBytes.Open(fullPath, relativePath);
        var lines = new JsonlLines(stream, relativePath, limits.MaxLineBytes);
        var rows = new List<TagFileRow>();
        while (lines.TryRead(out var bytes))
        {
            var line = lines.LineNumber;
            SourceBytes.CheckUtf8(bytes.Span, relativePath, lines.LineOffset, line);
            if (bytes.Span.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            JsonLimits.Check(bytes.Span, relativePath, limits, line);
            ImportException Error(string field, string detail) => new(relativePath, field, line, detail);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException e)
            {
                throw new ImportException(relativePath, null, line, "not JSON: " + e.Message, e);
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new ImportException(relativePath, null, line, $"expected a JSON object, found {root.ValueKind.ToString().ToLowerInvariant()}");
                }

                foreach (var member in root.EnumerateObject())
                {
                    if (!Columns.Contains(member.Name))
                    {
                        throw Error(member.Name, $"unknown member (the members are {string.Join(", ", Columns)})");
                    }
                }

                string? Text(string name)
                {
                    if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
                    {
                        return null;
                    }

                    return value.ValueKind == JsonValueKind.String
                        ? value.GetString()
                        : throw Error(name, $"wrong type: expected a string, found {value.ValueKind.ToString().ToLowerInvariant()}");
                }

                if (!root.TryGetProperty("sentence", out var sentence) || sentence.ValueKind == JsonValueKind.Null)
                {
                    throw Error("sentence", "missing required field");
                }

                if (sentence.ValueKind != JsonValueKind.Number || !sentence.TryGetInt32(out var index) || index < 0)
                {
                    throw Error("sentence", $"{Shorten(sentence.GetRawText())} is not a sentence index (a whole number, 0 or more)");
                }

                rows.Add(new TagFileRow(line, Check(
                    Text("dataset"), Text("trace"), index, Text("text"), Text("taxonomy"), Text("tag"), Text("annotatorKind"), Text("annotator"), Text("time"), Text("note"),
                    Error)));
            }
        }

        return rows;
    }

    private static TagRow Check(
        string? dataset, string? trace, int sentence, string? text, string? taxonomy, string? tag, string? kind, string? annotator, string? time, string? note, FieldError error)
    {
        ImportChecks.RequiredText(dataset, "dataset", error);
        ImportChecks.RequiredText(trace, "trace", error);
        TagChecks.Name(taxonomy, "taxonomy", error);
        TagChecks.Name(tag, "tag", error);
        ImportChecks.RequiredText(kind, "annotatorKind", error);
        if (!Enum.TryParse<AnnotatorKind>(kind, ignoreCase: true, out var annotatorKind) || !Enum.IsDefined(annotatorKind) || int.TryParse(kind, out _))
        {
            throw error("annotatorKind", $"'{Shorten(kind!)}' is not Person, Import or Model");
        }

        TagChecks.Annotator(annotator, "annotator", error);
        DateTimeOffset? at = null;
        if (time is not null)
        {
            at = DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed.ToUniversalTime()
                : throw error("time", $"'{Shorten(time)}' is not a time (ISO 8601, e.g. 2026-01-02T03:04:05Z)");
        }

        return new TagRow(dataset!, trace!, sentence, text, taxonomy!, tag!, annotatorKind, annotator!, at, TagChecks.Note(note, "note", error));
    }

    /// <summary>Text from a file, cut short for an error message.</summary>
    public static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
