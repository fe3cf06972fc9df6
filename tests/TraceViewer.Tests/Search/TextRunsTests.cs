using TraceViewer.Search;
using TraceViewer.Text;

namespace TraceViewer.Tests.Search;

public sealed class TextRunsTests
{
    private static string Marked(string text, string? query) =>
        string.Concat(TextRuns.Split(text, query).Select(r => r.IsMatch ? $"[{r.Text}]" : r.Text));

    [Theory]
    [InlineData("I will be modified by RLHF.", "rlhf", "I will be modified by [RLHF].")]
    [InlineData("comply, comply and COMPLY", "comply", "[comply], [comply] and [COMPLY]")]
    [InlineData("aaaa", "aa", "[aa][aa]")]
    [InlineData("100% sure", " 100% ", "[100%] sure")]
    [InlineData("nothing here", "absent", "nothing here")]
    [InlineData("no query", null, "no query")]
    [InlineData("no query", "  ", "no query")]
    [InlineData("", "x", "")]
    public void MatchesAreMarkedIgnoringCaseAndTheTextIsKeptWhole(string text, string? query, string expected)
    {
        var runs = TextRuns.Split(text, query);

        Assert.Equal(expected, Marked(text, query));
        Assert.Equal(text, string.Concat(runs.Select(r => r.Text)));
    }

    [Fact]
    public void MarkupInTheTextStaysInTheRuns()
    {
        var runs = TextRuns.Split("<b>comply</b> now", "comply");

        Assert.Equal([new TextRun("<b>", false), new TextRun("comply", true), new TextRun("</b> now", false)], runs);
    }
}
