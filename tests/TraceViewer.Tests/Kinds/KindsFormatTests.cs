using TraceViewer.Kinds;

namespace TraceViewer.Tests.Kinds;

/// <summary>The kinds table writes effects with the decimals its values need, so rows of small effects read apart.</summary>
public sealed class KindsFormatTests
{
    private static string[] Written(params double?[] values)
    {
        var format = KindsFormat.For(values, values);
        return [.. values.Select(format.Number)];
    }

    [Fact]
    public void EffectsOfATenthOrMoreKeepThreeDecimals()
    {
        Assert.Equal(["+0.310", "−0.120", "+0.050", "0.000"], Written(0.31, -0.12, 0.05, 0.0));
        Assert.Equal(3, KindsFormat.For([1.7, -2.25], [1.7, -2.25]).Decimals);
    }

    [Fact]
    public void EffectsOfAFewTenThousandthsGetTwoSignificantDigitsInsteadOfAllReadingZero()
    {
        // Three fixed decimals wrote every one of these as 0.000.
        Assert.Equal(["+0.00040", "+0.00021", "−0.00033"], Written(0.0004, 0.00021, -0.00033));
        Assert.Equal(["+0.0042", "+0.0017", "−0.0005"], Written(0.0042, 0.0017, -0.0005));
    }

    [Fact]
    public void DecimalsAreAddedUntilTheRowsOfEachColumnReadApart()
    {
        Assert.Equal(["+0.1231", "+0.1234"], Written(0.1231, 0.1234));
        Assert.Equal(["+0.0123", "+0.0124"], Written(0.01231, 0.01238));
        Assert.Equal(["+0.01231", "+0.01234"], Written(0.01231, 0.01234));
        // Two values apart at three decimals keep three.
        Assert.Equal(["+0.123", "+0.124"], Written(0.1231, 0.1238));
    }

    [Fact]
    public void NoMoreThanFourSignificantDigitsOfTheLargestAreWritten()
    {
        var values = new double?[] { 0.3, 0.3000001 };
        var format = KindsFormat.For(values, values);

        Assert.Equal(4, format.Decimals);
        Assert.Equal("+0.3000", format.Number(0.3000001));
    }

    [Fact]
    public void TheIntervalsSetTheScaleAndUndefinedValuesReadAsADash()
    {
        // A mean near zero whose interval reaches a hundredth: the scale is the interval's.
        var format = KindsFormat.For([0.00001, -0.012, 0.013], [0.00001]);

        Assert.Equal(3, format.Decimals);
        Assert.Equal(KindsFormat.Undefined, format.Number(null));
        Assert.Equal(KindsFormat.Undefined, format.Unsigned(null));
        Assert.Equal("0.013", format.Unsigned(0.013));
        Assert.Equal(KindsFormat.Default.Decimals, KindsFormat.For([null, double.NaN], new double?[] { null }).Decimals);
    }

    [Fact]
    public void AMeanWrittenAsZeroIsColouredAsNoDirection()
    {
        // 0.00001 next to an interval reaching a hundredth is written "0.000": not orange, whatever its sign.
        var format = KindsFormat.For([0.00001, -0.012, 0.013], [0.00001]);
        var nearZero = new KindsNumber(0.00001, -0.012, 0.013);

        Assert.Equal("0.000", format.Number(0.00001));
        Assert.Equal(0, format.WrittenSign(0.00001));
        Assert.Equal("none unsure", KindsTable.DirectionClass(nearZero, format));
        Assert.Equal("promotes", KindsTable.DirectionClass(new KindsNumber(0.002, 0.001, 0.003), format));
        Assert.Equal("suppresses", KindsTable.DirectionClass(new KindsNumber(-0.002, -0.003, -0.001), format));
    }
}
