using System.Collections.Concurrent;
using System.Diagnostics;

namespace TraceViewer.Jobs;

// TEMPORARY profiling
internal static class JobsProfile
{
    private static readonly ConcurrentDictionary<string, long[]> Phases = new();

    public static long Start() => Stopwatch.GetTimestamp();

    public static void Add(string phase, long started)
    {
        var a = Phases.GetOrAdd(phase, _ => new long[2]);
        Interlocked.Add(ref a[0], Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref a[1]);
    }

    public static string Report() => string.Join("\n", Phases.OrderBy(p => p.Key).Select(p =>
        $"{p.Key,-24} n={p.Value[1],7} total={p.Value[0] * 1000.0 / Stopwatch.Frequency,10:0} ms avg={p.Value[0] * 1000.0 / Stopwatch.Frequency / Math.Max(1, p.Value[1]),8:0.00} ms"));
}
