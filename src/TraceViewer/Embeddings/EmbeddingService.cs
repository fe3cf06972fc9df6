using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Data;
using TraceViewer.Providers;

namespace TraceViewer.Embeddings;

/// <summary>Turns texts into embedding vectors through an OpenAI-compatible endpoint. Owned by the app so tests can swap it.</summary>
internal interface IEmbeddingClient
{
    string Model { get; }

    Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken ct);
}

internal sealed class OpenAIEmbeddingClient(ProviderRegistry providers, IOptions<EmbeddingOptions> options) : IEmbeddingClient
{
    public string Model => options.Value.Model;

    public async Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken ct)
    {
        var client = providers.Client(options.Value.Provider!).GetEmbeddingClient(Model);
        var result = await client.GenerateEmbeddingsAsync(texts, cancellationToken: ct);
        return result.Value.OrderBy(e => e.Index).Select(e => e.ToFloats().ToArray()).ToList();
    }
}

/// <summary>Embeddings by text, from the cache first, then from the configured client; null when none is configured.</summary>
internal sealed class EmbeddingService(TraceViewerDbContext db, IOptions<EmbeddingOptions> options, TimeProvider clock, IEmbeddingClient? client = null)
{
    /// <summary>The model name recorded with metrics: the embedding model, or the lexical fallback's name.</summary>
    public string ModelName => client?.Model ?? LexicalSimilarity.ModelName;

    public bool HasModel => client is not null;

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Vectors that came with imported data: the first cached model that covers every text, if any.</summary>
    public async Task<(string Model, IReadOnlyDictionary<string, float[]> Vectors)?> FindCoveringCachedAsync(IReadOnlyCollection<string> texts, CancellationToken ct)
    {
        var byHash = texts.Distinct(StringComparer.Ordinal).ToDictionary(Hash, t => t, StringComparer.Ordinal);
        var hashes = byHash.Keys.ToList();
        var models = await db.Set<CachedEmbedding>().AsNoTracking()
            .Where(e => hashes.Contains(e.TextHash))
            .GroupBy(e => e.Model)
            .Where(g => g.Count() == hashes.Count)
            .Select(g => g.Key)
            .ToListAsync(ct);
        if (models.Count == 0)
        {
            return null;
        }

        var model = models.Order(StringComparer.Ordinal).First();
        var rows = await db.Set<CachedEmbedding>().AsNoTracking()
            .Where(e => e.Model == model && hashes.Contains(e.TextHash))
            .Select(e => new { e.TextHash, e.Vector })
            .ToListAsync(ct);
        return (model, rows.ToDictionary(r => byHash[r.TextHash], r => MemoryMarshal.Cast<byte, float>(r.Vector).ToArray(), StringComparer.Ordinal));
    }

    /// <summary>The cached vectors of one model for these texts, without asking any endpoint; texts not cached are absent.</summary>
    public async Task<Dictionary<string, float[]>> GetCachedAsync(string model, IEnumerable<string> texts, CancellationToken ct)
    {
        var byHash = texts.Distinct(StringComparer.Ordinal).ToDictionary(Hash, t => t, StringComparer.Ordinal);
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var chunk in byHash.Keys.Chunk(500))
        {
            var cached = await db.Set<CachedEmbedding>().AsNoTracking()
                .Where(e => e.Model == model && chunk.Contains(e.TextHash))
                .Select(e => new { e.TextHash, e.Vector })
                .ToListAsync(ct);
            foreach (var entry in cached)
            {
                result[byHash[entry.TextHash]] = MemoryMarshal.Cast<byte, float>(entry.Vector).ToArray();
            }
        }

        return result;
    }

    public async Task<IReadOnlyDictionary<string, float[]>> GetAsync(IEnumerable<string> texts, CancellationToken ct)
    {
        if (client is null)
        {
            throw new InvalidOperationException("No embedding provider is configured (Embeddings:Provider).");
        }

        var byHash = texts.Distinct(StringComparer.Ordinal).ToDictionary(Hash, t => t, StringComparer.Ordinal);
        var result = await GetCachedAsync(client.Model, byHash.Values, ct);

        var missing = byHash.Values.Where(t => !result.ContainsKey(t)).ToList();
        foreach (var batch in missing.Chunk(Math.Max(1, options.Value.BatchSize)))
        {
            var vectors = await client.EmbedAsync(batch, ct);
            for (var i = 0; i < batch.Length; i++)
            {
                result[batch[i]] = vectors[i];
                db.Add(new CachedEmbedding
                {
                    Model = client.Model,
                    TextHash = Hash(batch[i]),
                    Dimensions = vectors[i].Length,
                    Vector = MemoryMarshal.AsBytes(vectors[i].AsSpan()).ToArray(),
                    CreatedAt = clock.GetUtcNow(),
                });
            }

            await db.SaveChangesAsync(ct);
        }

        return result;
    }
}

internal static class EmbeddingExtensions
{
    public static IHostApplicationBuilder AddEmbeddings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmbeddingOptions>().BindConfiguration(EmbeddingOptions.Section).ValidateOnStart();
        if (!string.IsNullOrEmpty(builder.Configuration[$"{EmbeddingOptions.Section}:Provider"]))
        {
            builder.Services.AddSingleton<IEmbeddingClient, OpenAIEmbeddingClient>();
        }

        builder.Services.AddScoped<EmbeddingService>();
        return builder;
    }
}
