namespace TraceViewer.Statistics;

/// <summary>
/// Newcombe's hybrid score interval for a difference of two independent proportions
/// (Newcombe 1998, method 10), built from the two Wilson intervals.
/// </summary>
internal static class Newcombe
{
    /// <summary>95% interval for p1 - p2 with p1 = k1/n1 and p2 = k2/n2.</summary>
    public static Interval Difference(int k1, int n1, int k2, int n2, double z = Wilson.Z95)
    {
        if (n1 == 0 || n2 == 0)
        {
            return new Interval(-1, 1);
        }

        var p1 = (double)k1 / n1;
        var p2 = (double)k2 / n2;
        var (l1, u1) = Wilson.Interval(k1, n1, z);
        var (l2, u2) = Wilson.Interval(k2, n2, z);
        var d = p1 - p2;
        return new Interval(
            d - Math.Sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)),
            d + Math.Sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)));
    }
}
