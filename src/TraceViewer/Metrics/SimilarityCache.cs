using Microsoft.Extensions.Caching.Memory;

namespace TraceViewer.Metrics;

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

    private static string Key(int traceId, string model) => $"similarity:{traceId}:{model}";
}
