namespace TraceViewer.Resampling;

/// <summary>
/// Picks new sample numbers at a trace position. (trace, position, sample) is a resample's idempotency key, so a number
/// is never reused: new ones follow the largest in use, and once that would pass <see cref="int.MaxValue"/> (an imported
/// sample numbered near it), the smallest free numbers from 0 are taken instead. Never negative, never wrapping.
/// </summary>
internal static class SampleNumbers
{
    /// <param name="largest">The largest number in use at the position (stored resamples and planned items), or null.</param>
    /// <param name="count">How many numbers to pick.</param>
    /// <param name="used">Every number in use at the position; read only when the numbers after <paramref name="largest"/> do not fit.</param>
    public static IReadOnlyList<int> Pick(int? largest, int count, Func<IReadOnlySet<int>> used)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var start = largest is { } max ? Math.Max(0L, max + 1L) : 0L;
        if (start + count - 1 <= int.MaxValue)
        {
            return [.. Enumerable.Range((int)start, count)];
        }

        var taken = used();
        var picked = new List<int>(count);
        for (long candidate = 0; candidate <= int.MaxValue && picked.Count < count; candidate++)
        {
            if (!taken.Contains((int)candidate))
            {
                picked.Add((int)candidate);
            }
        }

        return picked.Count == count
            ? picked
            : throw new InvalidOperationException("No free sample numbers are left at this position.");
    }

    /// <summary>Does the numbers after <paramref name="largest"/> hold <paramref name="count"/> more?</summary>
    public static bool FitsAfter(int? largest, int count) => (largest is { } max ? Math.Max(0L, max + 1L) : 0L) + count - 1 <= int.MaxValue;
}
