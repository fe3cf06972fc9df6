using TraceViewer.Statistics;

namespace TraceViewer.Tests.Statistics;

public sealed class NewcombeTests
{
    // Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score), examples (a)-(f).
    [Theory]
    [InlineData(56, 70, 48, 80, 0.0524, 0.3339)]
    [InlineData(9, 10, 3, 10, 0.1705, 0.8090)]
    [InlineData(6, 7, 2, 7, 0.0582, 0.8062)]
    [InlineData(5, 56, 0, 29, -0.0381, 0.1926)]
    [InlineData(0, 10, 0, 20, -0.1611, 0.2775)]
    [InlineData(0, 10, 0, 10, -0.2775, 0.2775)]
    public void ReproducesThePublishedExamples(int k1, int n1, int k2, int n2, double low, double high)
    {
        var interval = Newcombe.DifferenceInterval(new Proportion(k1, n1), new Proportion(k2, n2));

        Assert.Equal(low, interval.Low, 0.00005);
        Assert.Equal(high, interval.High, 0.00005);
    }

    [Fact]
    public void EveryIntervalContainsItsPointEstimate()
    {
        for (var n1 = 1; n1 <= 12; n1++)
        {
            for (var n2 = 1; n2 <= 12; n2++)
            {
                for (var k1 = 0; k1 <= n1; k1++)
                {
                    for (var k2 = 0; k2 <= n2; k2++)
                    {
                        var first = new Proportion(k1, n1);
                        var second = new Proportion(k2, n2);

                        var interval = Newcombe.DifferenceInterval(first, second);

                        Assert.True(interval.Contains(first.Rate - second.Rate), $"{k1}/{n1} - {k2}/{n2}: {interval}");
                        Assert.InRange(interval.Low, -1.0, 1.0);
                        Assert.InRange(interval.High, -1.0, 1.0);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(56, 70, 48, 80)]
    [InlineData(5, 56, 0, 29)]
    [InlineData(3, 3, 1, 9)]
    public void SwappingTheSamplesNegatesTheInterval(int k1, int n1, int k2, int n2)
    {
        var forward = Newcombe.DifferenceInterval(new Proportion(k1, n1), new Proportion(k2, n2));

        var backward = Newcombe.DifferenceInterval(new Proportion(k2, n2), new Proportion(k1, n1));

        Assert.Equal(-forward.High, backward.Low, 1e-15);
        Assert.Equal(-forward.Low, backward.High, 1e-15);
    }

    [Fact]
    public void AnEmptySampleHasNoInterval()
    {
        Assert.Throws<ArgumentException>(() => Newcombe.DifferenceInterval(new Proportion(0, 0), new Proportion(1, 2)));
    }
}
