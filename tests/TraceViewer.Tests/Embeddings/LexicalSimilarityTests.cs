using TraceViewer.Embeddings;

namespace TraceViewer.Tests.Embeddings;

public sealed class LexicalSimilarityTests
{
    [Fact]
    public void SameWordsInAnyCaseAreIdentical()
    {
        Assert.Equal(1.0, LexicalSimilarity.Cosine("I should refuse this.", "i SHOULD refuse THIS"), 12);
    }

    [Fact]
    public void DisjointWordsAreOrthogonal()
    {
        Assert.Equal(0.0, LexicalSimilarity.Cosine("comply now", "refuse later"));
    }

    [Fact]
    public void PartialOverlapIsTheCosineOfWordCounts()
    {
        // {a:1,b:1} vs {a:1,c:1}: dot 1, norms sqrt2 * sqrt2.
        Assert.Equal(0.5, LexicalSimilarity.Cosine("a b", "a c"), 12);
    }
}
