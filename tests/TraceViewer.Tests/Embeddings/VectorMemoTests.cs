using TraceViewer.Embeddings;

namespace TraceViewer.Tests.Embeddings;

public sealed class VectorMemoTests
{
    private static readonly string[] Sentences = ["s0", "s1", "s2"];

    private sealed class Store(Dictionary<string, float[]> vectors)
    {
        public List<string[]> Reads { get; } = [];

        public Task<Dictionary<string, float[]>> ReadAsync(string model, IReadOnlyCollection<string> texts, CancellationToken ct)
        {
            Reads.Add([.. texts.Order(StringComparer.Ordinal)]);
            return Task.FromResult(texts.Where(vectors.ContainsKey).ToDictionary(t => t, t => vectors[t], StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task TheFirstLookUpAlsoReadsTheSentencesAndNothingIsReadTwice()
    {
        var store = new Store(new() { ["s0"] = [1, 0], ["s1"] = [0, 1], ["a"] = [1, 1], ["b"] = [2, 1] });
        var memo = new VectorMemo(Sentences);

        var first = await memo.GetAsync("m", ["s0", "a"], store.ReadAsync, CancellationToken.None);
        var again = await memo.GetAsync("m", ["s1", "a"], store.ReadAsync, CancellationToken.None);
        var next = await memo.GetAsync("m", ["s1", "a", "b"], store.ReadAsync, CancellationToken.None);

        Assert.Equal(["a", "s0"], first.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["a", "s1"], again.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([2f, 1f], next["b"]);
        // One read with every sentence, then only the first sentence not looked up before.
        Assert.Equal([["a", "s0", "s1", "s2"], ["b"]], store.Reads);
    }

    [Fact]
    public async Task ASentenceWithoutAVectorAnswersWithoutReadingUntilCleared()
    {
        var store = new Store(new() { ["s0"] = [1, 0] });
        var memo = new VectorMemo(Sentences);

        await memo.GetAsync("m", ["s0", "x"], store.ReadAsync, CancellationToken.None);
        var missing = await memo.GetAsync("m", ["s2", "y", "z"], store.ReadAsync, CancellationToken.None);

        Assert.Empty(missing);
        Assert.Single(store.Reads);
        // Another model is looked up on its own; a cleared memo reads again.
        await memo.GetAsync("other", ["s2"], store.ReadAsync, CancellationToken.None);
        memo.Clear();
        await memo.GetAsync("m", ["s2", "y"], store.ReadAsync, CancellationToken.None);
        Assert.Equal(3, store.Reads.Count);
    }
}
