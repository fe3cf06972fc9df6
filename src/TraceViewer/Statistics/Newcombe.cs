namespace TraceViewer.Statistics;

/// <summary>
/// Interval for a difference of two independent proportions p1 - p2: Newcombe's hybrid score
/// interval (Newcombe 1998, "Interval estimation for the difference between independent
/// proportions", method 10), built from the two Wilson intervals.
/// </summary>
internal static class Newcombe
{
    public static Interval DifferenceInterval(Proportion first, Proportion second, double z = Wilson.Z95)
    {
        if (first.Count == 0 || second.Count == 0)
        {
            throw new ArgumentException("Both samples need at least one observation.");
        }

        var p1 = first.Rate;
        var p2 = second.Rate;
        var w1 = Wilson.Interval(first.Successes, first.Count, z);
        var w2 = Wilson.Interval(second.Successes, second.Count, z);
        var difference = p1 - p2;
        var low = difference - Math.Sqrt(Square(p1 - w1.Low) + Square(w2.High - p2));
        var high = difference + Math.Sqrt(Square(w1.High - p1) + Square(p2 - w2.Low));
        return new Interval(low, high);
    }

    private static double Square(double x) => x * x;
}
