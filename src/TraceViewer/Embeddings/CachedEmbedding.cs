using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TraceViewer.Embeddings;

/// <summary>An embedding vector cached by model and text hash, so each text is embedded once.</summary>
internal sealed class CachedEmbedding
{
    public required string Model { get; set; }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 text.</summary>
    public required string TextHash { get; set; }

    public int Dimensions { get; set; }

    /// <summary>float32 values, little-endian.</summary>
    public required byte[] Vector { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class CachedEmbeddingConfiguration : IEntityTypeConfiguration<CachedEmbedding>
{
    public void Configure(EntityTypeBuilder<CachedEmbedding> builder) =>
        builder.HasKey(e => new { e.Model, e.TextHash });
}
