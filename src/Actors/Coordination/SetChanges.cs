namespace FedActors.Actors.Coordination;

/// <summary>
/// What was added to a set and removed from it since the changes were last taken, net: an item added and
/// removed again in between (or removed and added back) is in neither list. A step's delta checkpoint is built
/// from these instead of from the whole set.
/// </summary>
/// <typeparam name="T">The items.</typeparam>
internal sealed class SetChanges<T>
    where T : notnull, IComparable<T>
{
    // true: added since the last take; false: removed since the last take.
    private readonly Dictionary<T, bool> _net = new();

    /// <summary>Records that <paramref name="item"/> entered the set.</summary>
    public void Added(T item)
    {
        if (_net.TryGetValue(item, out var added) && !added) _net.Remove(item);
        else _net[item] = true;
    }

    /// <summary>Records that <paramref name="item"/> left the set.</summary>
    public void Removed(T item)
    {
        if (_net.TryGetValue(item, out var added) && added) _net.Remove(item);
        else _net[item] = false;
    }

    /// <summary>The net changes since the last take, each list in the items' own order; starts over.</summary>
    public (T[] Added, T[] Removed) Take()
    {
        var added = _net.Where(c => c.Value).Select(c => c.Key).ToArray();
        var removed = _net.Where(c => !c.Value).Select(c => c.Key).ToArray();
        Array.Sort(added);
        Array.Sort(removed);
        _net.Clear();
        return (added, removed);
    }

    /// <summary>Forgets the changes (the set as it is now is the new reference).</summary>
    public void Clear() => _net.Clear();
}
