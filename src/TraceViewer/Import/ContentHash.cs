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
