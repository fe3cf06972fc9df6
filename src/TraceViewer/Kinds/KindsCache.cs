namespace TraceViewer.Kinds;

/// <summary>
/// The last few computed selections, by request and data stamp. A handful is enough for moving between tags and
/// back; a stale entry is never hit, because its stamp no longer matches, and falls out as new ones come in.
/// </summary>
internal sealed class KindsCache
{
    public const int Capacity = 8;

    private readonly Lock _gate = new();
    private readonly LinkedList<(string Key, KindsQueries.Read Value)> _entries = new();

    public bool TryGet(string key, out KindsQueries.Read value)
    {
        lock (_gate)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                if (node.Value.Key == key)
                {
                    _entries.Remove(node);
                    _entries.AddFirst(node);
                    value = node.Value.Value;
                    return true;
                }
            }
        }

        value = default!;
        return false;
    }

    public void Add(string key, KindsQueries.Read value)
    {
        lock (_gate)
        {
            _entries.AddFirst((key, value));
            while (_entries.Count > Capacity)
            {
                _entries.RemoveLast();
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }
}
