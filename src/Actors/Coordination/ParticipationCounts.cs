namespace FedActors.Actors.Coordination;

/// <summary>Applied updates per client since the start, with the clients whose count changed since the last checkpoint.</summary>
internal sealed class ParticipationCounts
{
    private readonly ChangesPerClient<int> _counts = new();

    /// <summary>Client id → applied updates.</summary>
    public IReadOnlyDictionary<int, int> Counts => _counts.Values;

    /// <summary>Distinct clients with an applied update.</summary>
    public int Clients => _counts.Values.Count;

    /// <summary>Most updates applied from any one client.</summary>
    public int Max { get; private set; }

    public void Applied(int clientId)
    {
        int count = _counts.Get(clientId, 0) + 1;
        _counts.Set(clientId, count);
        Max = Math.Max(Max, count);
    }

    /// <summary>The counts that changed since the last call, by client id.</summary>
    public ParticipationCount[] TakeChanges() => _counts.TakeChanges(static (c, n) => new ParticipationCount(c, n));

    /// <summary>Puts back the counts folded from a run's checkpoints.</summary>
    public void Restore(IReadOnlyDictionary<int, int> counts, int max)
    {
        _counts.Restore(counts);
        Max = max;
    }
}
