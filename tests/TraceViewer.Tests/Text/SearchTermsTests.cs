using TraceViewer.Text;

namespace TraceViewer.Tests.Text;

/// <summary>Whole words unless a word ends with a star (docs/decisions/0052): parsing, both full-text syntaxes and the marks.</summary>
public sealed class SearchTermsTests
{
    [Theory]
    [InlineData("word900 word3", new[] { "word900", "word3" })]
    [InlineData("Comp* or \"comply\"", new[] { "comp*", "or", "comply" })]
    [InlineData("comp * x*y", new[] { "comp", "x*", "y" })]
    [InlineData("*** ", new string[0])]
    [InlineData("the the* the", new[] { "the", "the*" })]
    public void WordsAreWholeUnlessAStarFollowsThem(string text, string[] expected) =>
        Assert.Equal(expected, SearchTerms.Parse(text));

    [Fact]
    public void OnlyStarredWordsArePrefixesInEitherIndexSyntax()
    {
        var terms = SearchTerms.Parse("word3 comp* o'k");

        Assert.Equal("\"word3\" \"comp\"* \"o\" \"k\"", SearchTerms.Fts5(terms));
        Assert.Equal("'word3' & 'comp':* & 'o' & 'k'", SearchTerms.TsQuery(terms));
    }

    [Theory]
    [InlineData("word3 word30 word300 Word3.", "word3", "[word3] word30 word300 [Word3].")]
    [InlineData("word3 word30 word300", "word3*", "[word3] [word3]0 [word3]00")]
    [InlineData("comply complying", "comply comp*", "[comply] [comp]lying")]
    [InlineData("compliance", "comp", "compliance")]
    public void MarksFollowTheSameRule(string text, string query, string expected) =>
        Assert.Equal(expected, string.Concat(SearchTerms.Highlight(text, SearchTerms.Parse(query)).Select(r => r.IsMatch ? $"[{r.Text}]" : r.Text)));
}
