using System.Text;

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
/// A small RFC 4180 reader: comma-separated, fields optionally in double quotes with <c>""</c> for a quote,
/// line breaks LF or CRLF (also inside quoted fields). Blank lines are skipped. Strict about the rest: a quote
/// inside an unquoted field, text after a closing quote or an unterminated quote is an error naming the line.
/// </summary>
internal static class CsvText
{
    /// <summary>A field as written: quoted when it holds a comma, quote or line break, or starts or ends with white space.</summary>
    public static string Quote(string? field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return "";
        }

        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 || char.IsWhiteSpace(field[0]) || char.IsWhiteSpace(field[^1])
            ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;
    }

    public static IReadOnlyList<CsvRecord> Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        long line = 1;
        long recordLine = 1;
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var atRecordStart = true;

        while (i < text.Length)
        {
            if (atRecordStart)
            {
                recordLine = line;
                if (IsLineBreak(text, i, out var blank))
                {
                    i += blank;
                    line++;
                    continue;
                }

                atRecordStart = false;
            }

            field.Clear();
            if (text[i] == '"')
            {
                var quoteLine = line;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new CsvFormatException(file, quoteLine, "quoted field is never closed");
                    }

                    var c = text[i];
                    if (c == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                    i++;
                }

                if (i < text.Length && text[i] != ',' && !IsLineBreak(text, i, out _))
                {
                    throw new CsvFormatException(file, line, $"unexpected '{text[i]}' after a closing quote (a quote inside a quoted field is written \"\")");
                }
            }
            else
            {
                while (i < text.Length && text[i] != ',' && !IsLineBreak(text, i, out _))
                {
                    if (text[i] == '"')
                    {
                        throw new CsvFormatException(file, line, "quote inside an unquoted field (quote the whole field and double the quote)");
                    }

                    field.Append(text[i]);
                    i++;
                }
            }

            fields.Add(field.ToString());
            if (i >= text.Length)
            {
                break;
            }

            if (text[i] == ',')
            {
                i++;
                if (i >= text.Length)
                {
                    fields.Add("");
                }

                continue;
            }

            IsLineBreak(text, i, out var length);
            i += length;
            line++;
            records.Add(new CsvRecord(recordLine, fields.ToArray()));
            fields.Clear();
            atRecordStart = true;
        }

        if (fields.Count > 0)
        {
            records.Add(new CsvRecord(recordLine, fields.ToArray()));
        }

        return records;
    }

    private static bool IsLineBreak(string text, int i, out int length)
    {
        length = text[i] switch
        {
            '\n' => 1,
            '\r' => i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1,
            _ => 0,
        };
        return length > 0;
    }
}
