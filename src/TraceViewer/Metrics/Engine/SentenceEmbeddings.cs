using System.Numerics.Tensors;

namespace TraceViewer.Metrics.Engine;

/// <summary>
/// Sentence embeddings keyed by exact text, stored in double precision in one block with their
/// norms precomputed, so a cosine costs one dot product.
/// </summary>
internal sealed class SentenceEmbeddings
{
    private readonly Dictionary<string, int> _rows = new(StringComparer.Ordinal);
    private readonly double[] _values;
    private readonly double[] _norms;

    public SentenceEmbeddings(IReadOnlyDictionary<string, double[]> vectors)
        : this(vectors.Count, vectors.Count == 0 ? 0 : vectors.First().Value.Length)
    {
        foreach (var (text, vector) in vectors)
        {
            Add(text, vector);
        }
    }

    public SentenceEmbeddings(IReadOnlyDictionary<string, float[]> vectors)
        : this(vectors.Count, vectors.Count == 0 ? 0 : vectors.First().Value.Length)
    {
        var buffer = new double[Dimension];
        foreach (var (text, vector) in vectors)
        {
            CheckDimension(text, vector.Length);
            for (var d = 0; d < buffer.Length; d++)
            {
                buffer[d] = vector[d];
            }

            Add(text, buffer);
        }
    }

    private SentenceEmbeddings(int count, int dimension)
    {
        Dimension = dimension;
        _values = new double[count * dimension];
        _norms = new double[count];
    }

    public int Dimension { get; }

    public int Count => _rows.Count;

    public bool Contains(string text) => _rows.ContainsKey(text);

    public double Cosine(string a, string b)
    {
        var i = Row(a);
        var j = Row(b);
        return TensorPrimitives.Dot(Vector(i), Vector(j)) / (_norms[i] * _norms[j]);
    }

    private ReadOnlySpan<double> Vector(int row) => _values.AsSpan(row * Dimension, Dimension);

    private int Row(string text) =>
        _rows.TryGetValue(text, out var row) ? row : throw new KeyNotFoundException($"no embedding for sentence \"{text}\"");

    private void Add(string text, ReadOnlySpan<double> vector)
    {
        CheckDimension(text, vector.Length);
        var row = _rows.Count;
        _rows.Add(text, row);
        vector.CopyTo(_values.AsSpan(row * Dimension, Dimension));
        _norms[row] = TensorPrimitives.Norm(vector);
    }

    private void CheckDimension(string text, int length)
    {
        if (length != Dimension)
        {
            throw new ArgumentException($"embedding of \"{text}\" has {length} values, expected {Dimension}");
        }
    }
}
