using Microsoft.Extensions.Caching.Memory;

namespace TraceViewer.MetricSets;

/// <summary>
/// Cosine similarities of a trace's (sentence, resampled first sentence) pairs under one model. They do not
/// depend on the threshold, so a page that asks for another threshold reruns only the engine. Keyed by text,
/// a cached value never goes stale; pairs added by new resamples are simply missing and computed again.
/// </summary>
internal sealed class SimilarityCache : IDisposable
{
    /// <summary>Upper bound on cached pairs across traces (a 150 x 100 trace holds at most 15,000).</summary>
    public const long MaxPairs = 2_000_000;

    // Its own cache, because a size limit applies to every entry of a cache.
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxPairs });

    public void Dispose() => cache.Dispose();

    public IReadOnlyDictionary<(string Sentence, string First), double>? Get(int traceId, string model) =>
        cache.TryGetValue(Key(traceId, model), out IReadOnlyDictionary<(string, string), double>? table) ? table : null;

    public void Set(int traceId, string model, IReadOnlyDictionary<(string Sentence, string First), double> table) =>
        cache.Set(Key(traceId, model), table, new MemoryCacheEntryOptions { Size = Math.Max(1, table.Count), SlidingExpiration = TimeSpan.FromHours(1) });

    /// <summary>Looks pairs up in the table, computing (and not storing) any the table lacks.</summary>
    public static Func<string, string, double> Lookup(IReadOnlyDictionary<(string, string), double> table, Func<string, string, double> fallback) =>
        (a, b) => table.TryGetValue((a, b), out var value) ? value : fallback(a, b);

    public static Dictionary<(string Sentence, string First), double> Build(IEnumerable<(string Sentence, string First)> pairs, Func<string, string, double> similarity)
    {
        var table = new Dictionary<(string, string), double>();
        foreach (var pair in pairs)
        {
            table[pair] = similarity(pair.Sentence, pair.First);
        }

        return table;
    }

    /// <summary>A trace's engine inputs, valid for as long as <paramref name="version"/> says the stored data is unchanged.</summary>
    public PreparedInputs? GetInputs(int traceId, string version) =>
        cache.TryGetValue($"inputs:{traceId}", out PreparedInputs? inputs) && inputs!.Version == version ? inputs : null;

    public void SetInputs(int traceId, PreparedInputs inputs) =>
        cache.Set($"inputs:{traceId}", inputs, new MemoryCacheEntryOptions { Size = Math.Max(1, inputs.Inputs.Rows.Count), SlidingExpiration = TimeSpan.FromMinutes(30) });

    private static string Key(int traceId, string model) => $"similarity:{traceId}:{model}";
}

/// <summary>What does not depend on the threshold: the rows, the pairs to compare and each outcome's positions.</summary>
internal sealed record PreparedInputs(
    string Version,
    TraceInputs Inputs,
    HashSet<(string Sentence, string First)> Pairs,
    IReadOnlyDictionary<int, (int ResampleCount, List<Metrics.Engine.PositionInput> Positions)> ByOutcome)
{
    public static PreparedInputs From(string version, TraceInputs inputs) => new(
        version,
        inputs,
        inputs.Pairs(),
        inputs.Outcomes.ToDictionary(o => o, o =>
        {
            var members = inputs.Members(o);
            return (members.Count, inputs.Positions(members));
        }));
}
