using System.Globalization;
using System.Text;
using TraceViewer.Collect;

namespace TraceViewer.Exports;

/// <summary>
/// Writes export tables as CSV: RFC 4180 quoting (via <see cref="CsvText"/>), CRLF line ends, UTF-8.
/// Text cells hold imported or model text, so a spreadsheet must not read them as formulas: a text cell beginning
/// with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return gets a leading apostrophe. Number cells are
/// written as numbers (invariant culture, round-trip) and are not guarded, so a negative effect stays a number.
/// </summary>
public static class ExportCsv
{
    /// <summary>A text cell, guarded against being read as a spreadsheet formula.</summary>
    public static string Text(string? value) =>
        string.IsNullOrEmpty(value) ? "" : value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    public static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool? value) => value switch { true => "true", false => "false", _ => "" };

    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The whole table; cells are already formatted (<see cref="Text"/>, <see cref="Number(double?)"/>).</summary>
    public static string Write(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows) =>
        CsvText.ToText(rows.Prepend(header));

    /// <summary>A file name from free text: letters, digits, '-', '_' and '.', others folded to '-'.</summary>
    public static string FileName(string stem, string extension)
    {
        var name = new StringBuilder();
        foreach (var c in stem)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }

        var clean = name.ToString().Trim('-', '.');
        return (clean.Length == 0 ? "export" : clean.Length > 80 ? clean[..80] : clean) + "." + extension;
    }
}
