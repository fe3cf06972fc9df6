namespace TraceViewer.Tests.Architecture;

/// <summary>
/// Which feature may refer to which: features in layers from the bottom up, each referring only to features in lower
/// layers or its own, plus a list of named exceptions that exist today and may only shrink. docs/dependencies.md
/// explains the layers.
/// </summary>
internal sealed class DependencyRules(IReadOnlyList<string[]> layers, IEnumerable<(string From, string To)> exceptions)
{
    private readonly Dictionary<string, int> _layer = layers.SelectMany((features, i) => features.Select(f => (f, i))).ToDictionary(p => p.f, p => p.i);

    public IReadOnlySet<(string From, string To)> Exceptions { get; } = exceptions.ToHashSet();

    /// <summary>An edge the layers allow: downward or sideways within a layer is not allowed, only strictly down.</summary>
    public bool Allows(string from, string to) =>
        _layer.TryGetValue(from, out var a) && _layer.TryGetValue(to, out var b) && a > b;

    public bool Knows(string feature) => _layer.ContainsKey(feature);

    /// <summary>The edges of <paramref name="graph"/> neither the layers nor the exceptions allow, each with the references that make it.</summary>
    public List<string> Violations(SortedDictionary<(string From, string To), SortedSet<string>> graph) =>
        [.. graph.Where(e => !Allows(e.Key.From, e.Key.To) && !Exceptions.Contains(e.Key))
            .Select(e => $"{e.Key.From} -> {e.Key.To}: {string.Join("; ", e.Value.Take(3))}{(e.Value.Count > 3 ? $" (and {e.Value.Count - 3} more)" : "")}")];
}
