using System.Globalization;

namespace TraceViewer.Embeddings;

/// <summary>
/// Cosine similarity of word-count vectors: the fallback when no embedding model is available.
/// It sees shared words, not meaning, so results computed with it are labelled as lexical.
/// </summary>
internal static class LexicalSimilarity
{
    public const string ModelName = "lexical:word-count-cosine";

    public static double Cosine(string a, string b)
    {
        var left = Counts(a);
        var right = Counts(b);
        if (left.Count == 0 || right.Count == 0)
        {
            return left.Count == right.Count ? 1 : 0;
        }

        double dot = 0, leftNorm = 0, rightNorm = 0;
        foreach (var (word, count) in left)
        {
            leftNorm += count * count;
            if (right.TryGetValue(word, out var other))
            {
                dot += count * other;
            }
        }

        foreach (var count in right.Values)
        {
            rightNorm += count * count;
        }

        return dot / Math.Sqrt(leftNorm * rightNorm);
    }

    private static Dictionary<string, int> Counts(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (isWord && start < 0)
            {
                start = i;
            }
            else if (!isWord && start >= 0)
            {
                var word = text[start..i].ToLower(CultureInfo.InvariantCulture);
                counts[word] = counts.GetValueOrDefault(word) + 1;
                start = -1;
            }
        }

        return counts;
    }
}
