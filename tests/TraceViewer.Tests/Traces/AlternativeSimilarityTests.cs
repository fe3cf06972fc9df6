using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Embeddings;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

/// <summary>The alternatives' similarity to the original sentence, under the shown metrics' model, on the real app's SQLite file.</summary>
public sealed class AlternativeSimilarityTests(TestApp app) : IClassFixture<TestApp>
{
    private static readonly string[] Firsts = ["Two plus two is four.", "Two plus two makes four.", "Something else entirely."];

    private async Task<(SeededTrace Trace, string Original)> SeedAsync()
    {
        var trace = await TraceSeeder.SeedAsync(app, new TraceSeed { ResamplesPerSentence = 3, Successes = i => i % 3, Alternative = (i, j) => Firsts[j] });
        return (trace, trace.Sentences[1].Text);
    }

    private async Task<SentenceResamples> ReadAsync(int traceId, string original, string? model)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TraceQueries>().GetSentenceResamplesAsync(traceId, 1, original, CancellationToken.None, model);
    }

    private async Task CacheAsync(string model, IReadOnlyDictionary<string, float[]> vectors)
    {
        await using var db = app.CreateDbContext();
        foreach (var (text, vector) in vectors)
        {
            db.Add(new CachedEmbedding { Model = model, TextHash = EmbeddingService.Hash(text), Dimensions = vector.Length, Vector = MemoryMarshal.AsBytes(vector.AsSpan()).ToArray() });
        }

        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task LexicalSimilaritiesAreMeasuredForEachAlternative()
    {
        var (trace, original) = await SeedAsync();

        var resamples = await ReadAsync(trace.TraceId, original, LexicalSimilarity.ModelName);

        Assert.Equal(LexicalSimilarity.ModelName, resamples.SimilarityModel);
        Assert.Equal(Firsts.Order(StringComparer.Ordinal), resamples.Alternatives.Select(a => a.Text).Order(StringComparer.Ordinal));
        Assert.All(resamples.Alternatives, a => Assert.Equal(LexicalSimilarity.Cosine(original, a.Text), a.Similarity));
        Assert.Equal(1.0, resamples.Alternatives.Single(a => a.Identical).Similarity!.Value, 9);
        Assert.True(resamples.Alternatives.Single(a => a.Text == Firsts[2]).Similarity < 0.5);
    }

    [Fact]
    public async Task CachedVectorsOfTheShownModelGiveTheirCosine()
    {
        var (trace, original) = await SeedAsync();
        var model = $"vec-{Guid.NewGuid():N}";
        await CacheAsync(model, new Dictionary<string, float[]>
        {
            [original] = [1, 0], [Firsts[1]] = [0.6f, 0.8f], [Firsts[2]] = [0, 1],
        });

        var resamples = await ReadAsync(trace.TraceId, original, model);

        Assert.Equal(model, resamples.SimilarityModel);
        var byText = resamples.Alternatives.ToDictionary(a => a.Text, a => a.Similarity);
        Assert.Equal(1.0, byText[Firsts[0]]!.Value, 6);
        Assert.Equal(0.6, byText[Firsts[1]]!.Value, 6);
        Assert.Equal(0.0, byText[Firsts[2]]!.Value, 6);
    }

    [Fact]
    public async Task WithoutEveryVectorCachedThereIsNoSimilarity()
    {
        var (trace, original) = await SeedAsync();
        var model = $"vec-{Guid.NewGuid():N}";
        await CacheAsync(model, new Dictionary<string, float[]> { [original] = [1, 0], [Firsts[1]] = [0.6f, 0.8f] });

        var partial = await ReadAsync(trace.TraceId, original, model);
        var none = await ReadAsync(trace.TraceId, original, null);

        Assert.Null(partial.SimilarityModel);
        Assert.All(partial.Alternatives, a => Assert.Null(a.Similarity));
        Assert.Null(none.SimilarityModel);
        Assert.All(none.Alternatives, a => Assert.Null(a.Similarity));
        Assert.Equal(3, partial.Alternatives.Count);
    }
}
