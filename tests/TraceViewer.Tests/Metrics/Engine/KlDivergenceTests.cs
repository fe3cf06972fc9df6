using TraceViewer.Metrics.Engine;

namespace TraceViewer.Tests.Metrics.Engine;

public sealed class KlDivergenceTests
{
    private const double Alpha = 1e-9;

    [Fact]
    public void IdenticalSamplesHaveNoDivergence()
    {
        Assert.Equal(0.0, KlDivergence.Compute(["7", "8", "8"], ["8", "7", "8"], Alpha), 1e-15);
    }

    [Fact]
    public void DisjointSamplesDivergeByAboutLnOfSizeOverAlpha()
    {
        // p(yes) is about 1 and q(yes) about alpha / 3; the other term is of order alpha.
        var kl = KlDivergence.Compute(["yes", "yes"], ["no", "no", "no"], Alpha);

        Assert.Equal(Math.Log(3 / Alpha), kl, 1e-7);
    }

    [Fact]
    public void LabelsMissingFromTheFirstSampleStillContribute()
    {
        // U = {x, y}, V = 2; y has count 0 in A but its term is part of the sum.
        var px = (2 + Alpha) / (2 + 2 * Alpha);
        var py = Alpha / (2 + 2 * Alpha);
        var q = (1 + Alpha) / (2 + 2 * Alpha);
        var withAllTerms = px * Math.Log(px / q) + py * Math.Log(py / q);

        var kl = KlDivergence.Compute(["x", "x"], ["x", "y"], Alpha);

        Assert.Equal(withAllTerms, kl, 1e-15);
        Assert.True(Math.Abs(kl - px * Math.Log(px / q)) > 1e-9);
    }

    [Fact]
    public void EmptyLabelsAreIgnoredAndAnEmptySideGivesZero()
    {
        Assert.Equal(0.0, KlDivergence.Compute(["", "x"], ["x"], Alpha), 1e-15);
        Assert.Equal(0.0, KlDivergence.Compute(["", ""], ["x"], Alpha));
        Assert.Equal(0.0, KlDivergence.Compute(["x"], [], Alpha));
    }
}
