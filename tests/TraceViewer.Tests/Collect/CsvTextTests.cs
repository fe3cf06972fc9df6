using TraceViewer.Collect;

namespace TraceViewer.Tests.Collect;

public sealed class CsvTextTests
{
    private static readonly string?[] Awkward =
    [
        "plain", "a, comma", "a \"quote\"", "two\r\nlines", "one\nline feed", " leading", "trailing ", "", null, "=1+2", "ünïcödé",
    ];

    [Fact]
    public void EveryAwkwardFieldComesBackAsItWasWritten()
    {
        var text = CsvText.ToText([Awkward, ["second", "row"]]);

        var records = CsvText.Parse(text, "round.csv");

        Assert.Equal(2, records.Count);
        Assert.Equal(Awkward.Select(f => f ?? ""), records[0].Fields);
        Assert.Equal(["second", "row"], records[1].Fields);
        Assert.Equal(1, records[0].Line);
        Assert.Equal(4, records[1].Line); // the two line breaks inside quoted fields end no record, but they are lines
    }

    [Fact]
    public void FieldsAreQuotedOnlyWhenTheyNeedItOrHaveWhiteSpaceAtAnEnd()
    {
        var text = CsvText.ToText([["plain", "a,b", "say \"hi\"", " pad", "-0.5", ""]]);

        Assert.Equal("plain,\"a,b\",\"say \"\"hi\"\"\",\" pad\",-0.5,\r\n", text);
    }

    [Fact]
    public void AWriterCanEndRecordsWithLineFeeds()
    {
        using var writer = new StringWriter();

        CsvText.Write(writer, [["a", "b"], ["c", "d e"]], newLine: "\n");

        Assert.Equal("a,b\nc,d e\n", writer.ToString());
    }

    [Fact]
    public void BlankLinesAndAByteOrderMarkAreSkippedAndRecordsKeepTheirLines()
    {
        var records = CsvText.Parse("\uFEFFh1,h2\n\n\r\nx,y\nz\n", "blank.csv");

        Assert.Equal(["h1", "h2"], records[0].Fields);
        Assert.Equal(new long[] { 1, 4, 5 }, records.Select(r => r.Line));
        Assert.Equal(["z"], records[2].Fields);
    }

    [Theory]
    [InlineData("a,b\nc,d\"e\n", 2, "quote inside an unquoted field")]
    [InlineData("a,b\n\"c\"d,e\n", 2, "after a closing quote")]
    [InlineData("a,b\nc,d\n\"e,\nf\n", 3, "never closed")]
    public void MalformedQuotingNamesTheFileAndTheLineOfItsRecord(string text, long line, string detail)
    {
        var e = Assert.Throws<CsvFormatException>(() => CsvText.Parse(text, "bad.csv"));

        Assert.Equal("bad.csv", e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(detail, e.Detail, StringComparison.Ordinal);
        Assert.StartsWith($"bad.csv, line {line}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordsMayHaveDifferentNumbersOfFields()
    {
        var records = CsvText.Parse("a,b,c\nd\ne,f,g,h\n", "ragged.csv");

        Assert.Equal([3, 1, 4], records.Select(r => r.Fields.Count));
    }
}
