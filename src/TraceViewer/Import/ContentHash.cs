using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TraceViewer.Import;

/// <summary>
/// The identity of a trace's content: a SHA-256 over its canonical JSON. Where it came from (SourcePath) and
/// when rows were made (CreatedAt, ComputedAt) are left out, and lists are put in a fixed order, so an
/// export re-imported elsewhere hashes the same as the original source.
/// </summary>
internal static class ContentHash
{
    private static readonly HashSet<(Type, string)> Excluded =
    [
        (typeof(ImportedTrace), nameof(ImportedTrace.SourcePath)),
        (typeof(ImportedResample), nameof(ImportedResample.CreatedAt)),
        (typeof(ImportedMetricSet), nameof(ImportedMetricSet.ComputedAt)),
    ];

    private static readonly JsonSerializerOptions Options = new(NativeJsonl.Options)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { RemoveExcluded } },
    };

    public static string Compute(ImportedTrace trace) => ComputeCanonical(Canonical(trace));

    /// <summary>For a trace already put in order by <see cref="Canonical"/>.</summary>
    public static string ComputeCanonical(ImportedTrace canonical)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(canonical, Options);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public static ImportedTrace Canonical(ImportedTrace trace) => trace with
    {
        Labels = [.. trace.Labels.OrderBy(l => l.Outcome, StringComparer.Ordinal)],
        Sentences = [.. trace.Sentences.OrderBy(s => s.Index)],
        Resamples = [.. trace.Resamples
            .OrderBy(r => r.Position).ThenBy(r => r.SampleIndex)
            .Select(r => r with { Labels = [.. r.Labels.OrderBy(l => l.Outcome, StringComparer.Ordinal)] })],
        MetricSets = [.. trace.MetricSets
            .OrderBy(m => m.Outcome, StringComparer.Ordinal).ThenBy(m => m.Source).ThenBy(m => m.SourceFile, StringComparer.Ordinal)
            .Select(m => m with { Values = [.. m.Values.OrderBy(v => v.SentenceIndex).ThenBy(v => v.Name, StringComparer.Ordinal)] })],
        Links = [.. trace.Links.OrderBy(l => l.Kind, StringComparer.Ordinal).ThenBy(l => l.SourceIndex).ThenBy(l => l.TargetIndex)],
    };

    private static void RemoveExcluded(JsonTypeInfo info)
    {
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (info.Properties[i].AttributeProvider is System.Reflection.MemberInfo member && Excluded.Contains((info.Type, member.Name)))
            {
                info.Properties.RemoveAt(i);
            }
        }
    }
}
