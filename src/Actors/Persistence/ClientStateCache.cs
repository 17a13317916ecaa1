namespace FedActors.Actors.Persistence;

/// <summary>
/// The rows of a <see cref="ClientStateTable"/> a node keeps in memory: at most a byte budget of them, the least recently
/// used leaving first. The table holds every row, so an evicted row costs a read, never a loss. Thread-safe.
/// </summary>
internal sealed class ClientStateCache(long budgetBytes)
{
    private readonly Dictionary<(int Client, long Job), LinkedListNode<Row>> _rows = new();
    private readonly LinkedList<Row> _recency = new();
    private readonly Lock _gate = new();
    private long _bytes;

    private sealed record Row((int Client, long Job) Key, float[] Values);

    /// <summary>Bytes of rows held.</summary>
    public long Bytes
    {
        get { lock (_gate) return _bytes; }
    }

    /// <summary>Copies the cached row into <paramref name="values"/>; false when it is not cached (or has another length).</summary>
    public bool TryCopy(int client, long job, Span<float> values)
    {
        lock (_gate)
        {
            if (!_rows.TryGetValue((client, job), out var node) || node.Value.Values.Length != values.Length) return false;
            _recency.Remove(node);
            _recency.AddFirst(node);
            node.Value.Values.CopyTo(values);
            return true;
        }
    }

    /// <summary>Caches a copy of the row, evicting the least recently used rows beyond the budget.</summary>
    public void Put(int client, long job, ReadOnlySpan<float> values)
    {
        long size = (long)values.Length * sizeof(float);
        if (size > budgetBytes) return;
        lock (_gate)
        {
            if (_rows.Remove((client, job), out var old)) Drop(old);
            // Reuse an evicted row's array when it fits: residual rows all have the model's length.
            float[]? array = null;
            while (_bytes + size > budgetBytes && _recency.Last is { } last)
            {
                _rows.Remove(last.Value.Key);
                Drop(last);
                if (last.Value.Values.Length == values.Length) array = last.Value.Values;
            }
            array ??= new float[values.Length];
            values.CopyTo(array);
            _rows[(client, job)] = _recency.AddFirst(new Row((client, job), array));
            _bytes += size;
        }
    }

    /// <summary>Forgets, for each client in <paramref name="keepFrom"/>, the rows of jobs before the one it maps to.</summary>
    public void Forget(IReadOnlyDictionary<int, long> keepFrom)
    {
        lock (_gate)
        {
            for (var node = _recency.First; node is not null;)
            {
                var next = node.Next;
                var (client, job) = node.Value.Key;
                if (keepFrom.TryGetValue(client, out long keep) && job < keep)
                {
                    _rows.Remove(node.Value.Key);
                    Drop(node);
                }
                node = next;
            }
        }
    }

    private void Drop(LinkedListNode<Row> node)
    {
        _recency.Remove(node);
        _bytes -= (long)node.Value.Values.Length * sizeof(float);
    }
}
