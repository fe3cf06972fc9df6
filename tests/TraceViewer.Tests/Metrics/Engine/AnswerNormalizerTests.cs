using TraceViewer.Metrics.Engine;

namespace TraceViewer.Tests.Metrics.Engine;

public sealed class AnswerNormalizerTests
{
    // Each expectation follows the steps listed in shared/conformance/README.md, in order.
    [Theory]
    [InlineData("  Yes ", "yes")]
    [InlineData("1,5", "1.5")]
    [InlineData("1,000", "1.000")]
    [InlineData("12 \\%", "12")]
    [InlineData("3 \\times 4", "3*4")]
    [InlineData("2\\cdot x", "2*x")]
    [InlineData("\\dfrac{1}{2}", "\\frac12")]
    [InlineData("1{,}000", "1000")]
    [InlineData("{{7}}", "{7}")]
    [InlineData("2\\pi", "2pi")]
    [InlineData("october\\\\ 30", "october30")]
    [InlineData("\\text{{cm}}", "cm")]
    [InlineData("\\mathrm{{kg}}", "kg")]
    [InlineData("   ", "")]
    [InlineData("None", "none")]
    public void FollowsTheReferenceSteps(string raw, string expected)
    {
        Assert.Equal(expected, AnswerNormalizer.Normalize(raw));
    }

    [Fact]
    public void IsNotIdempotent()
    {
        var once = AnswerNormalizer.Normalize("{{7}}");

        var twice = AnswerNormalizer.Normalize(once);

        Assert.Equal("{7}", once);
        Assert.Equal("7", twice);
    }
}
