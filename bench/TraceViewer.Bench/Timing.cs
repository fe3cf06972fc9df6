using System.Diagnostics;

namespace TraceViewer.Bench;

/// <summary>Times an action: a few untimed warm-up runs, then the timed ones, sorted; and the order statistics read from them.</summary>
internal static class Timing
{
    /// <summary>The wall times of <paramref name="runs"/> runs in milliseconds, sorted, after <paramref name="warmUp"/> untimed ones.</summary>
    public static async Task<double[]> SortedAsync(int warmUp, int runs, Func<Task> action)
    {
        var times = new double[runs];
        for (var i = -warmUp; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            if (i >= 0)
            {
                times[i] = watch.Elapsed.TotalMilliseconds;
            }
        }

        Array.Sort(times);
        return times;
    }

    public static double Median(double[] sorted) => sorted[sorted.Length / 2];

    /// <summary>The nearest-rank percentile: the smallest value with at least <paramref name="p"/> of the values at or below it.</summary>
    public static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
