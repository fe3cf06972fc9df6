using TraceViewer.Statistics;

namespace TraceViewer.Tests.Statistics;

public sealed class PercentileBootstrapTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.25, 2.0)]
    [InlineData(0.1, 1.4)]
    [InlineData(0.975, 4.9)]
    [InlineData(1.0, 5.0)]
    public void QuantilesInterpolateLinearlyBetweenOrderStatistics(double q, double expected)
    {
        double[] sorted = [1, 2, 3, 4, 5];

        Assert.Equal(expected, PercentileBootstrap.Quantile(sorted, q), 1e-12);
    }

    [Fact]
    public void UndefinedReplicatesAreCountedAndLeftOutOfTheInterval()
    {
        double[] replicates = [3, double.NaN, 1, 2, double.NaN, 5, 4];

        var interval = PercentileBootstrap.Interval(replicates, 0.5, "items");

        Assert.Equal((7, 2), (interval.Replicates, interval.UndefinedReplicates));
        Assert.Equal(new Interval(2, 4), interval.Range);
        Assert.Equal("percentile bootstrap over items", interval.Method);
    }

    [Fact]
    public void NoDefinedReplicateGivesNoInterval()
    {
        var interval = PercentileBootstrap.Interval([double.NaN, double.NaN], 0.95, "traces");

        Assert.Null(interval.Range);
        Assert.Equal(2, interval.UndefinedReplicates);
    }

    [Fact]
    public void TheGeneratorRepeatsItsStreamForASeedAndSeparatesStreams()
    {
        var first = new SplitMix64(7, stream: 1);
        var again = new SplitMix64(7, stream: 1);
        var other = new SplitMix64(7, stream: 2);

        var a = Enumerable.Range(0, 5).Select(_ => first.Next()).ToArray();
        var b = Enumerable.Range(0, 5).Select(_ => again.Next()).ToArray();
        var c = Enumerable.Range(0, 5).Select(_ => other.Next()).ToArray();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void BoundedDrawsCoverTheRangeEvenly()
    {
        var random = new SplitMix64(1);
        var counts = new int[7];

        for (var i = 0; i < 70_000; i++)
        {
            counts[random.NextInt(7)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }
    /// <summary>
    /// Counting a whole sample at once gives the counts and leaves the generator where as many single draws would.
    /// 65,000 units reject about one draw in 157,000 (2^32 mod 65,000 = 27,296), so a hundred samples of them go
    /// through rejections; 7 and 10,001 units leave half an output over between samples.
    /// </summary>
    [Theory]
    [InlineData(1, 2)]
    [InlineData(7, 3)]
    [InlineData(9, 4)]
    [InlineData(10_001, 4)]
    [InlineData(65_000, 4)]
    [InlineData(65_000, 2)]
    [InlineData(10_001, 6)]
    public void CountingDrawsMatchesDrawingOneAtATime(int units, int kinds)
    {
        var kindOf = Enumerable.Range(0, units).Select(u => (int)((u * 2_654_435_761L) % kinds)).ToArray();
        var batched = new SplitMix64(3, stream: 5);
        var single = new SplitMix64(3, stream: 5);
        var drawn = new int[kinds];
        var expected = new int[kinds];

        for (var sample = 0; sample < 100; sample++)
        {
            PercentileBootstrap.CountDraws(ref batched, kindOf, drawn);
            Array.Clear(expected);
            for (var j = 0; j < units; j++)
            {
                expected[kindOf[single.NextInt(units)]]++;
            }

            Assert.Equal(expected, drawn);
        }

        Assert.Equal(single.NextInt(units), batched.NextInt(units));
        Assert.Equal(single.Next(), batched.Next());
    }
}
