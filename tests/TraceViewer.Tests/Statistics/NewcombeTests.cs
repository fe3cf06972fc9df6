using TraceViewer.Statistics;

namespace TraceViewer.Tests.Statistics;

public sealed class NewcombeTests
{
    [Theory]
    // Newcombe (1998), Table II, method 10: 56/70 vs 48/80 and 9/10 vs 3/10.
    [InlineData(56, 70, 48, 80, 0.0524, 0.3339)]
    [InlineData(9, 10, 3, 10, 0.1705, 0.8090)]
    public void ReproducesThePublishedExamples(int k1, int n1, int k2, int n2, double low, double high)
    {
        var interval = Newcombe.Difference(k1, n1, k2, n2);

        Assert.Equal(low, interval.Low, 4);
        Assert.Equal(high, interval.High, 4);
    }

    [Fact]
    public void SwappingTheGroupsNegatesTheInterval()
    {
        var forward = Newcombe.Difference(13, 40, 27, 50);
        var backward = Newcombe.Difference(27, 50, 13, 40);

        Assert.Equal(-forward.High, backward.Low, 12);
        Assert.Equal(-forward.Low, backward.High, 12);
    }

    [Fact]
    public void ContainsThePointEstimate()
    {
        for (var k1 = 0; k1 <= 10; k1++)
        {
            for (var k2 = 0; k2 <= 10; k2++)
            {
                var interval = Newcombe.Difference(k1, 10, k2, 10);
                Assert.True(interval.Contains((k1 - k2) / 10.0), $"{k1}/10 - {k2}/10");
            }
        }
    }
}
