using System.Globalization;
using CsvHelper;

namespace TraceViewer.Collect;

/// <summary>A CSV file that does not read: names the file and the 1-based line.</summary>
internal sealed class CsvFormatException(string file, long line, string detail)
    : Exception($"{file}, line {line}: {detail}")
{
    public string File { get; } = file;

    public long Line { get; } = line;

    public string Detail { get; } = detail;
}

/// <summary>One CSV record and the line it starts on (a quoted field may run over several lines).</summary>
internal sealed record CsvRecord(long Line, IReadOnlyList<string> Fields);

/// <summary>
/// CSV in and out through CsvHelper, RFC 4180: comma-separated, fields optionally in double quotes with <c>""</c> for a
/// quote, line breaks LF or CRLF (also inside quoted fields). Reading skips blank lines and is strict about the rest: a
/// quote inside an unquoted field, text after a closing quote or an unterminated quote is an error naming the file and
/// the line its record starts on. Records may have different numbers of fields; the callers check their own columns.
/// </summary>
internal static class CsvText
{
    private static readonly CsvWriterOptions WriteOptions = new()
    {
        // Fields that start or end with white space are quoted too, so a reader that trims keeps it.
        Quoting = CsvQuoting.WhenNeededOrWhitespace,
        ValidateFieldCount = false,
    };

    public static IReadOnlyList<CsvRecord> Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = false,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MalformedData = CsvMalformedDataHandling.Recover,
            OnMalformedRecord = bad => throw new CsvFormatException(file, bad.LineNumber, Describe(bad.Reason)),
        };

        var records = new List<CsvRecord>();
        using var reader = CsvReader.FromText(text, options);
        while (reader.Read())
        {
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = reader.GetString(i) ?? "";
            }

            records.Add(new CsvRecord(reader.LineNumber, fields));
        }

        return records;
    }

    /// <summary>
    /// Writes <paramref name="records"/> as CSV, each ended by <paramref name="newLine"/> (RFC 4180's CRLF unless
    /// told); a null field is an empty one. Nothing is guarded against spreadsheet formulas here (see ExportCsv).
    /// </summary>
    public static void Write(TextWriter writer, IEnumerable<IReadOnlyList<string?>> records, string newLine = "\r\n")
    {
        ArgumentNullException.ThrowIfNull(writer);
        using var csv = CsvWriter.Create(writer, WriteOptions with { NewLine = newLine }, leaveOpen: true);
        foreach (var record in records)
        {
            foreach (var field in record)
            {
                csv.WriteField(field);
            }

            csv.EndRecord();
        }

        csv.Flush();
    }

    /// <summary>The records as CSV text (see <see cref="Write"/>).</summary>
    public static string ToText(IEnumerable<IReadOnlyList<string?>> records)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        Write(text, records);
        return text.ToString();
    }

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "quote inside an unquoted field (quote the whole field and double the quote)",
        CsvMalformedReason.TextAfterClosingQuote => "unexpected text after a closing quote (a quote inside a quoted field is written \"\")",
        CsvMalformedReason.UnterminatedQuote => "quoted field is never closed",
        _ => $"malformed record ({reason})",
    };
}
