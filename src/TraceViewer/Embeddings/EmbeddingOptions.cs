namespace TraceViewer.Embeddings;

/// <summary>Where sentence embeddings come from when imported data has none.</summary>
internal sealed class EmbeddingOptions
{
    public const string Section = "Embeddings";

    /// <summary>Name of a configured provider (Providers:&lt;name&gt;); empty means the lexical fallback.</summary>
    public string? Provider { get; set; }

    public string Model { get; set; } = "text-embedding-3-small";

    /// <summary>Texts sent per embeddings request.</summary>
    public int BatchSize { get; set; } = 128;
}
