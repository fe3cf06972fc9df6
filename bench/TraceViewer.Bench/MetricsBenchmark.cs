using System.Diagnostics;
using TraceViewer.Metrics.Engine;

namespace TraceViewer.Bench;

/// <summary>
/// Time to recompute every metric of one trace: conformance case d (60 x 100, 16 dimensions) and a
/// synthetic 150-sentence trace with 100 resamples per position and 384-dimensional embeddings.
/// Runs include building the embedding table (norms) from the stored vectors; the synthetic
/// trace is also timed with a prebuilt table, as when only the threshold changes.
/// </summary>
internal static class MetricsBenchmark
{
    private const int WarmUp = 30;
    private const int Runs = 50;

    public static int Run(string[] args)
    {
        var casePath = args.Length > 0 ? args[0] : Path.Combine(FindShared(), "conformance", "case_d.json");
        var load = Stopwatch.StartNew();
        var caseD = ConformanceCase.Load(casePath);
        Console.WriteLine($"case_d.json parsed in {load.Elapsed.TotalMilliseconds:F1} ms (not included below)");

        Measure("case_d reference mode", () => caseD.Compute().Chunks.Count);

        var (positions, vectors) = SyntheticTrace(sentences: 150, resamplesPerPosition: 100, dimension: 384, seed: 7);
        Measure("synthetic 150x100x384 reference mode", () => Compute(positions, vectors, MetricsParameters.Reference));
        Measure("synthetic 150x100x384 TraceViewer mode", () => Compute(positions, vectors, MetricsParameters.TraceViewerDefaults));
        var table = new SentenceEmbeddings(vectors);
        Console.WriteLine($"synthetic trace: {table.Count} distinct sentences");
        Measure("synthetic reference mode, prebuilt table", () => MetricsEngine.Compute(positions, table.Cosine, MetricsParameters.Reference).Chunks.Count);
        return 0;
    }

    private static int Compute(IReadOnlyList<PositionInput> positions, Dictionary<string, double[]> vectors, MetricsParameters parameters)
    {
        var embeddings = new SentenceEmbeddings(vectors);
        return MetricsEngine.Compute(positions, embeddings.Cosine, parameters).Chunks.Count;
    }

    private static void Measure(string name, Func<int> run)
    {
        var sink = 0;
        for (var i = 0; i < WarmUp; i++)
        {
            sink += run();
        }

        var times = new double[Runs];
        for (var i = 0; i < Runs; i++)
        {
            var watch = Stopwatch.StartNew();
            sink += run();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        Console.WriteLine(
            $"{name}: median {times[Runs / 2]:F2} ms, p90 {times[(int)(Runs * 0.9)]:F2} ms, min {times[0]:F2} ms ({Runs} runs, {sink / (Runs + WarmUp)} chunks)");
    }

    /// <summary>
    /// Each resample repeats the removed sentence, paraphrases it (its vector plus small noise) or
    /// says something else (an unrelated vector), so all branches of the engine are exercised.
    /// </summary>
    private static (List<PositionInput> Positions, Dictionary<string, double[]> Vectors) SyntheticTrace(
        int sentences, int resamplesPerPosition, int dimension, int seed)
    {
        var random = new Random(seed);
        var vectors = new Dictionary<string, double[]>(StringComparer.Ordinal);
        double[] RandomVector()
        {
            var v = new double[dimension];
            for (var d = 0; d < dimension; d++)
            {
                v[d] = random.NextDouble() * 2 - 1;
            }

            return v;
        }

        var positions = new List<PositionInput>(sentences);
        for (var i = 0; i < sentences; i++)
        {
            var sentence = $"sentence {i}";
            var baseVector = RandomVector();
            vectors[sentence] = baseVector;
            var rate = 0.2 + 0.6 * i / sentences;
            var resamples = new List<ResampleInput>(resamplesPerPosition);
            for (var r = 0; r < resamplesPerPosition; r++)
            {
                if (random.NextDouble() < 0.03)
                {
                    resamples.Add(new ResampleInput(null, null, null, IsError: true));
                    continue;
                }

                var kind = random.Next(3);
                var variant = random.Next(40);
                var first = kind switch { 0 => sentence, 1 => $"paraphrase {variant} of {i}", _ => $"other {variant} at {i}" };
                if (!vectors.ContainsKey(first))
                {
                    var noise = RandomVector();
                    var scale = kind == 1 ? 0.3 : 3.0;
                    vectors[first] = [.. baseVector.Select((x, d) => x + scale * noise[d])];
                }

                var positive = random.NextDouble() < rate;
                resamples.Add(new ResampleInput(first, positive ? "yes" : "no", positive));
            }

            positions.Add(new PositionInput(i, sentence, resamples));
        }

        return (positions, vectors);
    }

    private static string FindShared()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TraceViewer.sln")))
        {
            dir = dir.Parent;
        }

        return Path.GetFullPath(Path.Combine(dir?.FullName ?? throw new InvalidOperationException("TraceViewer.sln not found"), "..", "shared"));
    }
}
