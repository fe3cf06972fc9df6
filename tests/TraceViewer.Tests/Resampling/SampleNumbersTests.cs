using TraceViewer.Resampling;

namespace TraceViewer.Tests.Resampling;

public sealed class SampleNumbersTests
{
    private static IReadOnlySet<int> Never() => throw new InvalidOperationException("the used numbers were read although not needed");

    [Fact]
    public void AFreshPositionStartsAtZero() => Assert.Equal([0, 1, 2], SampleNumbers.Pick(null, 3, Never));

    [Fact]
    public void NewNumbersFollowTheLargestInUse() => Assert.Equal([8, 9], SampleNumbers.Pick(7, 2, Never));

    [Fact]
    public void NegativeNumbersInUseDoNotMakeNewOnesNegative() => Assert.Equal([0, 1], SampleNumbers.Pick(-5, 2, Never));

    [Fact]
    public void TheLastNumbersBeforeTheLimitAreUsed() => Assert.Equal([int.MaxValue - 1, int.MaxValue], SampleNumbers.Pick(int.MaxValue - 2, 2, Never));

    [Fact]
    public void PastTheLimitTheSmallestFreeNumbersAreTakenInsteadOfWrapping()
    {
        var used = new HashSet<int> { 0, 2, int.MaxValue };

        var picked = SampleNumbers.Pick(int.MaxValue, 3, () => used);

        Assert.Equal([1, 3, 4], picked);
    }

    [Fact]
    public void TwoPlansInARowNeverShareANumber()
    {
        var used = new HashSet<int> { int.MaxValue };

        var first = SampleNumbers.Pick(used.Max(), 3, () => used);
        used.UnionWith(first);
        var second = SampleNumbers.Pick(used.Max(), 3, () => used);

        Assert.Equal([0, 1, 2], first);
        Assert.Equal([3, 4, 5], second);
    }
}
