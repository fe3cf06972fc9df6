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

    /// <summary>A trace put in canonical order, and its hash.</summary>
    public static (ImportedTrace Canonical, string Hash) Prepare(ImportedTrace trace)
    {
        var canonical = Canonical(trace);
        return (canonical, ComputeCanonical(canonical));
    }

    /// <summary>For a trace already put in order by <see cref="Canonical"/>.</summary>
    public static string ComputeCanonical(ImportedTrace canonical)
    {
        // The JSON goes through the hash as it is written, never whole in memory (megabytes for a large trace).
        using var hash = new HashingStream();
        JsonSerializer.Serialize(hash, canonical, Options);
        return Convert.ToHexStringLower(hash.Finish());
    }

    public static ImportedTrace Canonical(ImportedTrace trace) => trace with
    {
        Labels = Ordered(trace.Labels, LabelOrder, l => l.OrderBy(x => x.Outcome, StringComparer.Ordinal)),
        Sentences = Ordered(trace.Sentences, (a, b) => a.Index.CompareTo(b.Index), l => l.OrderBy(s => s.Index)),
        Resamples = Ordered(trace.Resamples, ResampleOrder, l => l.OrderBy(r => r.Position).ThenBy(r => r.SampleIndex)) is var resamples
            && resamples.All(r => IsOrdered(r.Labels, LabelOrder))
            ? resamples
            : [.. resamples.Select(r => IsOrdered(r.Labels, LabelOrder) ? r : r with { Labels = [.. r.Labels.OrderBy(l => l.Outcome, StringComparer.Ordinal)] })],
        MetricSets = [.. trace.MetricSets
            .OrderBy(m => m.Outcome, StringComparer.Ordinal).ThenBy(m => m.Source).ThenBy(m => m.SourceFile, StringComparer.Ordinal)
            .Select(m => IsOrdered(m.Values, ValueOrder) ? m : m with { Values = [.. m.Values.OrderBy(v => v.SentenceIndex).ThenBy(v => v.Name, StringComparer.Ordinal)] })],
        Links = OrderedLinks(trace.Links),
    };

    private static readonly Comparison<ImportedLabel> LabelOrder = (a, b) => string.CompareOrdinal(a.Outcome, b.Outcome);

    private static readonly Comparison<ImportedResample> ResampleOrder = (a, b) =>
        a.Position != b.Position ? a.Position.CompareTo(b.Position) : a.SampleIndex.CompareTo(b.SampleIndex);

    private static readonly Comparison<ImportedMetric> ValueOrder = (a, b) =>
        a.SentenceIndex != b.SentenceIndex ? a.SentenceIndex.CompareTo(b.SentenceIndex) : string.CompareOrdinal(a.Name, b.Name);

    private static readonly Comparison<ImportedLink> LinkOrder = (a, b) =>
        string.CompareOrdinal(a.Kind, b.Kind) is var kind and not 0 ? kind
        : a.SourceIndex != b.SourceIndex ? a.SourceIndex.CompareTo(b.SourceIndex) : a.TargetIndex.CompareTo(b.TargetIndex);

    /// <summary>
    /// Links by kind (ordinal), source, then target: the order they are hashed in and stored in (one row per kind and
    /// source, its targets in order). Kept as they are when already in that order.
    /// </summary>
    internal static IReadOnlyList<ImportedLink> OrderedLinks(IReadOnlyList<ImportedLink> links) =>
        Ordered(links, LinkOrder, l => l.OrderBy(x => x.Kind, StringComparer.Ordinal).ThenBy(x => x.SourceIndex).ThenBy(x => x.TargetIndex));

    /// <summary>
    /// A list already in order is kept as it is (a stable sort would give the same sequence); only one out of order is
    /// sorted into a new list, so a trace of hundreds of thousands of resamples is not copied to be hashed.
    /// </summary>
    private static IReadOnlyList<T> Ordered<T>(IReadOnlyList<T> list, Comparison<T> order, Func<IReadOnlyList<T>, IOrderedEnumerable<T>> sort) =>
        IsOrdered(list, order) ? list : [.. sort(list)];

    private static bool IsOrdered<T>(IReadOnlyList<T> list, Comparison<T> order)
    {
        for (var i = 1; i < list.Count; i++)
        {
            if (order(list[i - 1], list[i]) > 0)
            {
                return false;
            }
        }

        return true;
    }

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

    /// <summary>A stream that only feeds SHA-256 with what is written to it.</summary>
    private sealed class HashingStream : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] Finish() => _hash.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => _hash.AppendData(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => _hash.AppendData(buffer);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
