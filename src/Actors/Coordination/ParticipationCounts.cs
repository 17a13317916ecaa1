namespace FedActors.Actors.Coordination;

/// <summary>Applied updates per client since the start, with the clients whose count changed since the last checkpoint.</summary>
internal sealed class ParticipationCounts
{
    private readonly Dictionary<int, int> _counts = new();
    private readonly HashSet<int> _changed = new();

    /// <summary>Client id → applied updates.</summary>
    public IReadOnlyDictionary<int, int> Counts => _counts;

    /// <summary>Distinct clients with an applied update.</summary>
    public int Clients => _counts.Count;

    /// <summary>Most updates applied from any one client.</summary>
    public int Max { get; private set; }

    public void Applied(int clientId)
    {
        int count = _counts[clientId] = _counts.GetValueOrDefault(clientId) + 1;
        _changed.Add(clientId);
        Max = Math.Max(Max, count);
    }

    /// <summary>The counts that changed since the last call, by client id.</summary>
    public ParticipationCount[] TakeChanges()
    {
        var changes = _changed.Order().Select(c => new ParticipationCount(c, _counts[c])).ToArray();
        _changed.Clear();
        return changes;
    }

    /// <summary>Puts back the counts folded from a run's checkpoints.</summary>
    public void Restore(IReadOnlyDictionary<int, int> counts, int max)
    {
        foreach (var (client, count) in counts) _counts[client] = count;
        Max = max;
    }
}
