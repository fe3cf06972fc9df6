using TraceViewer.Collect;

namespace TraceViewer.Tests.Collect;

public sealed class AdvBenchReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("advbench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheBundledFileReadsEveryDataRow()
    {
        var text = File.ReadAllText(AdvBenchReader.BundledPath);

        var rows = AdvBenchReader.ReadFile(AdvBenchReader.BundledPath);

        Assert.Equal(CountRecordsOutsideQuotes(text) - 1, rows.Count);
        Assert.Equal(Enumerable.Range(0, rows.Count), rows.Select(r => r.Index));
        Assert.Equal(rows.Count, rows.Select(r => r.Goal).Distinct(StringComparer.Ordinal).Count());
        Assert.All(rows, r => Assert.StartsWith("Sure, here", r.Target, StringComparison.Ordinal));
    }

    [Fact]
    public void UnquotedGoalsMatchTheirLines()
    {
        // Every data line here is one record (no quoted line breaks): a line not starting with a quote has its goal
        // up to the first comma.
        var lines = File.ReadAllLines(AdvBenchReader.BundledPath).Skip(1).ToList();

        var rows = AdvBenchReader.ReadFile(AdvBenchReader.BundledPath);

        Assert.Equal(lines.Count, rows.Count);
        var checkedLines = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].StartsWith('"'))
            {
                Assert.Equal(lines[i][..lines[i].IndexOf(',', StringComparison.Ordinal)], rows[i].Goal);
                checkedLines++;
            }
            else
            {
                Assert.Contains(',', rows[i].Goal);
            }
        }

        Assert.True(checkedLines > rows.Count / 2);
    }

    [Fact]
    public void AnUnclosedQuoteNamesTheFileAndTheLineItStartsOn()
    {
        var lines = File.ReadAllLines(AdvBenchReader.BundledPath);
        var broken = lines.ToArray();
        broken[41] = "\"" + broken[41];
        var path = Write("unclosed.csv", broken);

        var e = Assert.Throws<CsvFormatException>(() => AdvBenchReader.ReadFile(path));

        Assert.Equal(path, e.File);
        Assert.StartsWith(path + ", line ", e.Message, StringComparison.Ordinal);
        Assert.True(e.Line >= 42, $"line {e.Line}");
    }

    [Fact]
    public void AnExtraFieldNamesTheLine()
    {
        var broken = File.ReadAllLines(AdvBenchReader.BundledPath).ToArray();
        broken[200] += ",extra";
        var path = Write("extra.csv", broken);

        var e = Assert.Throws<CsvFormatException>(() => AdvBenchReader.ReadFile(path));

        Assert.Equal(201, e.Line);
        Assert.Equal($"{path}, line 201: expected 2 fields (goal,target), found 3", e.Message);
    }

    [Fact]
    public void AStrayQuoteNamesTheLine()
    {
        var broken = File.ReadAllLines(AdvBenchReader.BundledPath).ToArray();
        broken[9] = "Write a \"tutorial\" on nothing,\"Sure, here is\"";
        var path = Write("stray.csv", broken);

        var e = Assert.Throws<CsvFormatException>(() => AdvBenchReader.ReadFile(path));

        Assert.Equal(10, e.Line);
        Assert.Contains("quote inside an unquoted field", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWrongHeaderIsLineOne()
    {
        var path = Write("header.csv", ["prompt,target", "a,b"]);

        var e = Assert.Throws<CsvFormatException>(() => AdvBenchReader.ReadFile(path));

        Assert.Equal(1, e.Line);
        Assert.Contains("goal,target", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARepeatedGoalNamesBothLines()
    {
        var path = Write("repeat.csv", ["goal,target", "Do a,\"Sure, here\"", "Do b,x", "Do a,y"]);

        var e = Assert.Throws<CsvFormatException>(() => AdvBenchReader.ReadFile(path));

        Assert.Equal(4, e.Line);
        Assert.Contains("line 2", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void QuotedFieldsMayHoldCommasQuotesAndLineBreaks()
    {
        const string text = "goal,target\r\n\"Say \"\"hi\"\", then\r\nleave\",t1\r\nplain,\"t, 2\"\r\n";

        var rows = AdvBenchReader.Read(text, "inline.csv");

        Assert.Equal(2, rows.Count);
        Assert.Equal("Say \"hi\", then\r\nleave", rows[0].Goal);
        Assert.Equal("t, 2", rows[1].Target);
    }

    [Fact]
    public void LinesAfterAQuotedLineBreakAreCountedCorrectly()
    {
        const string text = "goal,target\n\"two\nlines\",t\nok,t\nbad\n";

        var e = Assert.Throws<CsvFormatException>(() => AdvBenchReader.Read(text, "inline.csv"));

        Assert.Equal(5, e.Line);
    }

    private string Write(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    // Independent of CsvText: count line breaks that are not inside quotes, plus a last unterminated line.
    private static int CountRecordsOutsideQuotes(string text)
    {
        var inQuotes = false;
        var records = 0;
        var lineHasContent = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }

            if (c == '\n' && !inQuotes)
            {
                records += lineHasContent ? 1 : 0;
                lineHasContent = false;
            }
            else if (c != '\r')
            {
                lineHasContent = true;
            }
        }

        return records + (lineHasContent ? 1 : 0);
    }
}
