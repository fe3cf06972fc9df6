using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Traces;

/// <summary>One piece s_k of a trace's reasoning (the reference calls it a chunk). Its tags are rows of <see cref="TraceViewer.Tags.SentenceTag"/>.</summary>
internal sealed class Sentence : Data.ISentenceRow
{
    public int Id { get; set; }

    public int TraceId { get; set; }

    /// <summary>The chunk index k: position in the source's chunk list, used by resamples and metrics.</summary>
    public int Index { get; set; }

    public required string Text { get; set; }

    /// <summary>The exact whitespace that followed the sentence in <see cref="Trace.Reasoning"/>.</summary>
    public string Separator { get; set; } = "";

    /// <summary>Character offset of the sentence in <see cref="Trace.Reasoning"/>.</summary>
    public int Start { get; set; }

    public int End { get; set; }

    /// <summary>Earlier sentence indices this one depends on, comma separated, as imported.</summary>
    public string? DependsOn { get; set; }

    public string? Summary { get; set; }

    public string? Metadata { get; set; }
}

internal sealed class SentenceConfiguration : IEntityTypeConfiguration<Sentence>
{
    public void Configure(EntityTypeBuilder<Sentence> builder)
    {
        builder.HasIndex(s => new { s.TraceId, s.Index }).IsUnique();
        builder.HasOne<Trace>().WithMany(t => t.Sentences).HasForeignKey(s => s.TraceId).OnDelete(DeleteBehavior.Cascade);
    }
}
