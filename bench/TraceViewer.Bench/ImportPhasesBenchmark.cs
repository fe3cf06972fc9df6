using System.Diagnostics;
using System.Globalization;
using TraceViewer.Import;

namespace TraceViewer.Bench;

/// <summary>
/// Where the read half of an import goes, without a database: each item folder read into a trace, checked and hashed,
/// with the time and the bytes allocated of each step. `import-phases folder [runs]`.
/// </summary>
internal static class ImportPhasesBenchmark
{
    public static int Run(string[] args)
    {
        var root = args[0];
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var limits = new ImportOptions();
        for (var run = 0; run < runs; run++)
        {
            var discovery = TraceDiscovery.Discover(root, namesAboveRoot: false, null, limits);
            var warnings = new List<string>();
            var baseFolder = Path.GetFullPath(root);
            double read = 0, check = 0, hash = 0;
            long readBytes = 0, checkBytes = 0, hashBytes = 0;
            var resamples = 0;
            foreach (var item in discovery.Items)
            {
                var a = GC.GetAllocatedBytesForCurrentThread();
                var t = Stopwatch.GetTimestamp();
                var trace = ThoughtAnchorsReader.Read(item, baseFolder, () => { }, warnings, limits);
                var b = GC.GetAllocatedBytesForCurrentThread();
                read += Stopwatch.GetElapsedTime(t).TotalSeconds;
                readBytes += b - a;
                t = Stopwatch.GetTimestamp();
                var checkedTrace = ImportChecks.Whole(trace, limits, out _);
                check += Stopwatch.GetElapsedTime(t).TotalSeconds;
                var c = GC.GetAllocatedBytesForCurrentThread();
                checkBytes += c - b;
                t = Stopwatch.GetTimestamp();
                _ = ContentHash.Prepare(checkedTrace);
                hash += Stopwatch.GetElapsedTime(t).TotalSeconds;
                hashBytes += GC.GetAllocatedBytesForCurrentThread() - c;
                resamples += trace.Resamples.Count;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {run + 1}: {resamples} resamples; read {read:0.00} s {readBytes / 1048576.0:0} MiB, check {check:0.00} s {checkBytes / 1048576.0:0} MiB, hash {hash:0.00} s {hashBytes / 1048576.0:0} MiB; load {BenchPaths.LoadAverage()}"));
        }

        return 0;
    }
}
