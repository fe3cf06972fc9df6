using System.Numerics.Tensors;
using TraceViewer.Metrics.Engine;

namespace TraceViewer.Tests.Metrics.Engine;

public sealed class SentenceEmbeddingsTests
{
    private static readonly Dictionary<string, double[]> Vectors = new()
    {
        ["a"] = [1, 0, 0],
        ["2a"] = [2, 0, 0],
        ["b"] = [0, 3, 0],
        ["-a"] = [-1, 0, 0],
        ["ab"] = [1, 1, 0],
    };

    [Theory]
    [InlineData("a", "2a", 1.0)]
    [InlineData("a", "b", 0.0)]
    [InlineData("a", "-a", -1.0)]
    [InlineData("2a", "ab", 0.70710678118654752)]
    public void CosineIgnoresLength(string first, string second, double expected)
    {
        var embeddings = new SentenceEmbeddings(Vectors);

        Assert.Equal(expected, embeddings.Cosine(first, second), 1e-15);
        Assert.Equal(expected, embeddings.Cosine(second, first), 1e-15);
    }

    [Fact]
    public void SinglePrecisionVectorsGiveTheSameCosines()
    {
        var single = Vectors.ToDictionary(kv => kv.Key, kv => kv.Value.Select(v => (float)v).ToArray());

        var embeddings = new SentenceEmbeddings(single);

        Assert.Equal(new SentenceEmbeddings(Vectors).Cosine("2a", "ab"), embeddings.Cosine("2a", "ab"), 1e-15);
    }

    [Fact]
    public void PrecomputedNormsAgreeWithTheLibraryCosine()
    {
        var random = new Random(1);
        var vectors = Enumerable.Range(0, 20).ToDictionary(i => $"t{i}", _ => Enumerable.Range(0, 384).Select(_ => random.NextDouble() - 0.5).ToArray());

        var embeddings = new SentenceEmbeddings(vectors);

        foreach (var (a, x) in vectors)
        {
            foreach (var (b, y) in vectors)
            {
                Assert.Equal(TensorPrimitives.CosineSimilarity<double>(x, y), embeddings.Cosine(a, b), 1e-14);
            }
        }
    }

    [Fact]
    public void UnknownSentenceIsReported()
    {
        var embeddings = new SentenceEmbeddings(Vectors);

        var error = Assert.Throws<KeyNotFoundException>(() => embeddings.Cosine("a", "zzz"));

        Assert.Contains("zzz", error.Message, StringComparison.Ordinal);
    }
}
