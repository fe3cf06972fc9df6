using TraceViewer.Text;

namespace TraceViewer.Tests.Text;

public sealed class MathSegmentsTests
{
    private static string Show(IEnumerable<MathSegment> segments) =>
        string.Join("|", segments.Select(s => s.Kind switch { MathKind.Inline => $"i[{s.Content}]", MathKind.Display => $"d[{s.Content}]", _ => s.Content }));

    [Theory]
    [InlineData("Compute $3(1+3)$ now.", "Compute |i[3(1+3)]| now.")]
    [InlineData("So $$\\frac{a}{b}$$ holds", "So |d[\\frac{a}{b}]| holds")]
    [InlineData("Let \\(x^2\\) and \\[y = 1\\] be", "Let |i[x^2]| and |d[y = 1]| be")]
    [InlineData("The answer is \\boxed{88572}.", "The answer is |i[\\boxed{88572}]|.")]
    [InlineData("Nested \\boxed{\\frac{1}{2}} too", "Nested |i[\\boxed{\\frac{1}{2}}]| too")]
    [InlineData("It costs $5 and $6 today.", "It costs $5 and $6 today.")]
    [InlineData("A lone $ sign", "A lone $ sign")]
    [InlineData("Escaped \\$5 and $x$", "Escaped \\$5 and |i[x]")]
    [InlineData("Unclosed $x + y", "Unclosed $x + y")]
    [InlineData("Across $x\nlines$", "Across $x\nlines$")]
    [InlineData("Empty $$ $$ stays", "Empty $$ $$ stays")]
    [InlineData("No math at all.", "No math at all.")]
    public void SplitsMathFromText(string text, string expected) =>
        Assert.Equal(expected, Show(MathSegments.Split(text)));

    [Theory]
    [InlineData("Compute $3(1+3)$ now.")]
    [InlineData("Let \\(x^2\\) and \\[y = 1\\] be \\boxed{4} $$z$$ $5 and $6")]
    [InlineData("<script>alert('$x$')</script>")]
    public void TheSourcesOfTheSegmentsAreTheTextExactly(string text) =>
        Assert.Equal(text, string.Concat(MathSegments.Split(text).Select(s => s.Source)));

    [Fact]
    public void MarkupStaysInTheSegmentsAsText()
    {
        var segments = MathSegments.Split("<img src=x onerror=alert(1)> and $<b>x</b>$");

        Assert.Equal("<img src=x onerror=alert(1)> and ", segments[0].Content);
        Assert.Equal(new MathSegment(MathKind.Inline, "<b>x</b>", "$<b>x</b>$"), segments[1]);
    }

    [Fact]
    public void HasMathIsFalseForPlainTextAndCurrency()
    {
        Assert.False(MathSegments.HasMath("Two apples cost $3 and $4."));
        Assert.True(MathSegments.HasMath("So $x = 2$."));
    }
}
