using System.Buffers.Binary;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Traces;

/// <summary>
/// One row of a sparse sentence-to-sentence matrix (step_importance.json and its attention sibling): every link of one
/// kind from one source sentence, its targets and scores packed in <see cref="Targets"/> (<see cref="PackedLinks"/>).
/// </summary>
internal sealed class SentenceLinkRow
{
    public int TraceId { get; set; }

    /// <summary>resampling_match or attention_suppression (<c>SentenceLinkKinds</c>), or a native file's own: the kinds are on different scales.</summary>
    public required string Kind { get; set; }

    public int SourceIndex { get; set; }

    /// <summary>The links as <see cref="PackedLinks"/> writes them: (target index, score) pairs in ascending target order.</summary>
    public required byte[] Targets { get; set; }
}

internal sealed class SentenceLinkRowConfiguration : IEntityTypeConfiguration<SentenceLinkRow>
{
    public void Configure(EntityTypeBuilder<SentenceLinkRow> builder)
    {
        builder.HasKey(l => new { l.TraceId, l.Kind, l.SourceIndex });
        builder.HasOne<Trace>().WithMany().HasForeignKey(l => l.TraceId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>One link read from a packed row.</summary>
internal readonly record struct PackedLink(int Target, double Score);

/// <summary>
/// The encoding of <see cref="SentenceLinkRow.Targets"/>: for each link, in ascending target order, the target index as a
/// 4-byte two's complement integer and the score as an 8-byte IEEE 754 double, both big-endian. Exact for every double
/// (negative zero included), and what PostgreSQL's int4send and float8send give, so a migration can write it in SQL.
/// </summary>
internal static class PackedLinks
{
    public const int EntryBytes = 12;

    /// <summary>Packs links already in ascending, distinct target order.</summary>
    public static byte[] Pack(ReadOnlySpan<PackedLink> links)
    {
        var bytes = new byte[links.Length * EntryBytes];
        for (var i = 0; i < links.Length; i++)
        {
            if (i > 0 && links[i].Target <= links[i - 1].Target)
            {
                throw new ArgumentException($"target {links[i].Target} follows target {links[i - 1].Target}: the links of a row go in ascending target order", nameof(links));
            }

            Write(bytes.AsSpan(i * EntryBytes), links[i]);
        }

        return bytes;
    }

    /// <summary>How many links a stored row holds; the error names the row when its length is not whole entries.</summary>
    public static int Count(SentenceLinkRow row) =>
        row.Targets.Length % EntryBytes == 0
            ? row.Targets.Length / EntryBytes
            : throw new InvalidDataException(
                $"{nameof(SentenceLinkRow)} (trace {row.TraceId}, kind {row.Kind}, source sentence {row.SourceIndex}): Targets holds {row.Targets.Length} bytes, not a whole number of {EntryBytes}-byte links");

    public static PackedLink At(byte[] packed, int i)
    {
        var entry = packed.AsSpan(i * EntryBytes, EntryBytes);
        return new PackedLink(BinaryPrimitives.ReadInt32BigEndian(entry), BinaryPrimitives.ReadDoubleBigEndian(entry[4..]));
    }

    public static PackedLink[] Unpack(SentenceLinkRow row)
    {
        var links = new PackedLink[Count(row)];
        for (var i = 0; i < links.Length; i++)
        {
            links[i] = At(row.Targets, i);
        }

        return links;
    }

    /// <summary>The score of the row's link to <paramref name="target"/>, found by halving (the targets are in order); null when there is none.</summary>
    public static double? Find(SentenceLinkRow row, int target)
    {
        var (low, high) = (0, Count(row) - 1);
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var link = At(row.Targets, middle);
            if (link.Target == target)
            {
                return link.Score;
            }

            (low, high) = link.Target < target ? (middle + 1, high) : (low, middle - 1);
        }

        return null;
    }

    private static void Write(Span<byte> entry, PackedLink link)
    {
        BinaryPrimitives.WriteInt32BigEndian(entry, link.Target);
        BinaryPrimitives.WriteDoubleBigEndian(entry[4..], link.Score);
    }
}
