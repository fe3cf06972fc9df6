namespace TraceViewer.Import;

/// <summary>An import failure that names the file (relative to the import root), the field and the line when known.</summary>
internal sealed class ImportException : Exception
{
    public ImportException(string path, string? field, long? line, string detail, Exception? inner = null)
        : base(Format(path, field, line, detail), inner)
    {
        FilePath = path;
        Field = field;
        Line = line;
        Detail = detail;
    }

    public string FilePath { get; }

    /// <summary>JSON path inside the file, e.g. <c>[12].chunk_idx</c>.</summary>
    public string? Field { get; }

    /// <summary>1-based line number.</summary>
    public long? Line { get; }

    public string Detail { get; }

    private static string Format(string path, string? field, long? line, string detail)
    {
        var where = path;
        if (field is { Length: > 0 })
        {
            where += $", field {field}";
        }

        if (line is not null)
        {
            where += $", line {line}";
        }

        return $"{where}: {detail}";
    }
}
