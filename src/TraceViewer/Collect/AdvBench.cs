namespace TraceViewer.Collect;

/// <summary>One AdvBench request: its 0-based data row (the stable id, formats.md e), the goal, and the target kept as passthrough.</summary>
internal sealed record AdvBenchRow(int Index, string Goal, string Target);

/// <summary>Reads AdvBench <c>harmful_behaviors.csv</c>: header <c>goal,target</c>, two fields a row, unique non-empty goals.</summary>
internal static class AdvBenchReader
{
    public const string FileName = "harmful_behaviors.csv";

    /// <summary>The copy shipped beside the app (SampleData/advbench, MIT licence, see its SOURCE.md).</summary>
    public static string BundledPath => Path.Combine(AppContext.BaseDirectory, "SampleData", "advbench", FileName);

    public static IReadOnlyList<AdvBenchRow> ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Read(File.ReadAllText(path), path);
    }

    public static IReadOnlyList<AdvBenchRow> Read(string text, string file)
    {
        var records = CsvText.Parse(text, file);
        if (records.Count == 0)
        {
            throw new CsvFormatException(file, 1, "the file is empty (expected the header goal,target)");
        }

        var header = records[0];
        if (header.Fields.Count != 2 || header.Fields[0].Trim() != "goal" || header.Fields[1].Trim() != "target")
        {
            throw new CsvFormatException(file, header.Line, $"expected the header goal,target, found {string.Join(",", header.Fields)}");
        }

        var rows = new List<AdvBenchRow>(records.Count - 1);
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var record in records.Skip(1))
        {
            if (record.Fields.Count != 2)
            {
                throw new CsvFormatException(file, record.Line, $"expected 2 fields (goal,target), found {record.Fields.Count}");
            }

            var goal = record.Fields[0].Trim();
            if (goal.Length == 0)
            {
                throw new CsvFormatException(file, record.Line, "the goal is empty");
            }

            if (!seen.TryAdd(goal, record.Line))
            {
                throw new CsvFormatException(file, record.Line, $"the goal repeats the one on line {seen[goal]}");
            }

            rows.Add(new AdvBenchRow(rows.Count, goal, record.Fields[1]));
        }

        return rows;
    }
}
