namespace TraceViewer.Embeddings;

/// <summary>
/// The cached embedding vectors one open trace page has looked up, per model, with the texts that have none; kept for
/// the page's life (its circuit) so that selecting sentences reads no vector twice. The first look-up of a model also
/// reads the vectors of all the trace's sentences (one command): a sentence without a vector then answers "no
/// similarity" on every later selection without reading. Vectors of resampled first sentences are dropped past a bound.
/// </summary>
internal sealed class VectorMemo(IEnumerable<string> sentences)
{
    /// <summary>At most this many first sentences' vectors are kept (about 1.5 KB each at 384 dimensions).</summary>
    public const int MaxFirsts = 1_000;

    private readonly HashSet<string> _sentences = new(sentences, StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, float[]?>> _byModel = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public delegate Task<Dictionary<string, float[]>> Reader(string model, IReadOnlyCollection<string> texts, CancellationToken ct);

    /// <summary>The vectors of <paramref name="texts"/> under <paramref name="model"/> that exist; reads only texts not looked up before.</summary>
    public async Task<Dictionary<string, float[]>> GetAsync(string model, IReadOnlyCollection<string> texts, Reader read, CancellationToken ct)
    {
        List<string> unknown;
        lock (_lock)
        {
            var known = Known(model);
            // One text without a vector is enough for the caller to give up: no read.
            if (texts.Any(t => known.TryGetValue(t, out var v) && v is null))
            {
                return Found(known, texts);
            }

            unknown = [.. texts.Where(t => !known.ContainsKey(t))];
            if (unknown.Count > 0 && known.Count == 0)
            {
                unknown = [.. unknown.Concat(_sentences).Distinct(StringComparer.Ordinal)];
            }
        }

        if (unknown.Count == 0)
        {
            lock (_lock)
            {
                return Found(Known(model), texts);
            }
        }

        var vectors = await read(model, unknown, ct);
        lock (_lock)
        {
            var known = Known(model);
            if (known.Count(e => !_sentences.Contains(e.Key)) + unknown.Count > MaxFirsts + _sentences.Count)
            {
                foreach (var text in known.Keys.Where(k => !_sentences.Contains(k)).ToList())
                {
                    known.Remove(text);
                }
            }

            foreach (var text in unknown)
            {
                known[text] = vectors.GetValueOrDefault(text);
            }

            return Found(known, texts);
        }
    }

    /// <summary>Forgets everything: new vectors may have been stored (a job finished).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _byModel.Clear();
        }
    }

    private Dictionary<string, float[]?> Known(string model)
    {
        if (!_byModel.TryGetValue(model, out var known))
        {
            known = new Dictionary<string, float[]?>(StringComparer.Ordinal);
            _byModel[model] = known;
        }

        return known;
    }

    private static Dictionary<string, float[]> Found(Dictionary<string, float[]?> known, IEnumerable<string> texts)
    {
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            if (known.TryGetValue(text, out var vector) && vector is not null)
            {
                found[text] = vector;
            }
        }

        return found;
    }
}
