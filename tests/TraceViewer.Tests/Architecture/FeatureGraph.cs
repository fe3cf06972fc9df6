using System.Reflection;

namespace TraceViewer.Tests.Architecture;

/// <summary>The features of an assembly (the namespace part after a prefix) and which refers to which, with an example reference for each edge.</summary>
internal static class FeatureGraph
{
    public static string? FeatureOf(Type type, string prefix)
    {
        var ns = TypeReferences.Outermost(type).Namespace ?? "";
        if (!ns.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns.Length == prefix.Length ? "" : ns[(prefix.Length + 1)..];
        return rest.Length == 0 ? "(root)" : rest.Split('.')[0];
    }

    /// <summary>Edges between different features, each with the references that make it, sorted.</summary>
    public static SortedDictionary<(string From, string To), SortedSet<string>> Of(Assembly assembly, string prefix)
    {
        var edges = new SortedDictionary<(string, string), SortedSet<string>>();
        foreach (var (from, to) in TypeReferences.Of(assembly, prefix))
        {
            if (FeatureOf(from, prefix) is not { } a || FeatureOf(to, prefix) is not { } b || a == b)
            {
                continue;
            }

            if (!edges.TryGetValue((a, b), out var examples))
            {
                edges[(a, b)] = examples = new SortedSet<string>(StringComparer.Ordinal);
            }

            examples.Add($"{from.FullName} -> {to.FullName}");
        }

        return edges;
    }
}
