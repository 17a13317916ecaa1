namespace FedActors.Actors.Coordination;

/// <summary>
/// A value per client that checkpoints record as changes: besides the values, the clients whose value changed since the
/// changes were last taken.
/// </summary>
/// <typeparam name="T">The value.</typeparam>
internal sealed class ChangesPerClient<T>
{
    private readonly Dictionary<int, T> _values = new();
    private readonly HashSet<int> _changed = new();

    /// <summary>Client id → value.</summary>
    public IReadOnlyDictionary<int, T> Values => _values;

    /// <summary>The value of <paramref name="clientId"/>, or <paramref name="missing"/>.</summary>
    public T Get(int clientId, T missing) => _values.GetValueOrDefault(clientId, missing);

    /// <summary>Sets the value of <paramref name="clientId"/> and marks it changed.</summary>
    public void Set(int clientId, T value)
    {
        _values[clientId] = value;
        _changed.Add(clientId);
    }

    /// <summary>The values that changed since the last call, by client id, as <paramref name="record"/> makes them.</summary>
    public TRecord[] TakeChanges<TRecord>(Func<int, T, TRecord> record)
    {
        var changes = _changed.Order().Select(c => record(c, _values[c])).ToArray();
        _changed.Clear();
        return changes;
    }

    /// <summary>Puts back values folded from a run's checkpoints, none of them changed since.</summary>
    public void Restore(IReadOnlyDictionary<int, T> values)
    {
        foreach (var (client, value) in values) _values[client] = value;
    }
}
