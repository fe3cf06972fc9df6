using System.Numerics.Tensors;

namespace TraceViewer.Metrics.Engine;

/// <summary>
/// Sentence embeddings keyed by exact text, in double precision, with their norms computed once
/// so that a cosine costs one dot product. Double vectors are kept as given, not copied.
/// </summary>
internal sealed class SentenceEmbeddings
{
    private readonly Dictionary<string, (double[] Vector, double Norm)> _rows = new(StringComparer.Ordinal);
    private int _dimension = -1;

    public SentenceEmbeddings(IReadOnlyDictionary<string, double[]> vectors)
    {
        foreach (var (text, vector) in vectors)
        {
            Add(text, vector);
        }
    }

    public SentenceEmbeddings(IReadOnlyDictionary<string, float[]> vectors)
    {
        foreach (var (text, vector) in vectors)
        {
            var widened = new double[vector.Length];
            for (var d = 0; d < vector.Length; d++)
            {
                widened[d] = vector[d];
            }

            Add(text, widened);
        }
    }

    public int Count => _rows.Count;

    public bool Contains(string text) => _rows.ContainsKey(text);

    public double Cosine(string a, string b)
    {
        var (x, xNorm) = Row(a);
        var (y, yNorm) = Row(b);
        return TensorPrimitives.Dot<double>(x, y) / (xNorm * yNorm);
    }

    private (double[] Vector, double Norm) Row(string text) =>
        _rows.TryGetValue(text, out var row) ? row : throw new KeyNotFoundException($"no embedding for sentence \"{text}\"");

    private void Add(string text, double[] vector)
    {
        if (_dimension >= 0 && vector.Length != _dimension)
        {
            throw new ArgumentException($"embedding of \"{text}\" has {vector.Length} values, expected {_dimension}");
        }

        _dimension = vector.Length;
        _rows.Add(text, (vector, TensorPrimitives.Norm<double>(vector)));
    }
}
