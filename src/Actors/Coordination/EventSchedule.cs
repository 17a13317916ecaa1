namespace FedActors.Actors.Coordination;

/// <summary>What a scheduled event of the coordinator does when it fires.</summary>
internal enum EventKind
{
    /// <summary>Virtual clock: a job's result is due (its virtual finish time).</summary>
    Finish = 0,

    /// <summary>A job that has not reported by now is given up.</summary>
    Timeout = 1,

    /// <summary>A synchronous round closes with what it has.</summary>
    Deadline = 2,

    /// <summary>No client was available: try to dispatch again.</summary>
    Retry = 3,
}

/// <summary>
/// The coordinator's scheduled events (finishes, timeouts, round deadlines, retries) kept in firing order: by time,
/// then kind, then id. Every key is unique (one finish or timeout per job, one deadline per round, one retry at a
/// time), so the order (<see cref="CheckpointEvent.CompareTo"/>, the one the journal's fold keeps too) is total. A
/// sorted set rather than a heap: a full checkpoint and a resume list the events in order without sorting one entry
/// per job in flight, and <see cref="Changes"/> records what a step's delta checkpoint lists.
/// </summary>
internal sealed class EventSchedule
{
    private readonly SortedSet<CheckpointEvent> _events = new();

    public int Count => _events.Count;

    /// <summary>Events scheduled and fired since the last checkpoint took them.</summary>
    public SetChanges<CheckpointEvent> Changes { get; } = new();

    public void Add(EventKind kind, long id, double time)
    {
        var scheduled = new CheckpointEvent(time, (int)kind, id);
        if (!_events.Add(scheduled))
            throw new InvalidOperationException($"the {kind} event of {id} at {time} is already scheduled");
        Changes.Added(scheduled);
    }

    /// <summary>The next event to fire, without removing it.</summary>
    public bool TryPeek(out CheckpointEvent next)
    {
        if (_events.Count == 0)
        {
            next = default;
            return false;
        }
        next = _events.Min;
        return true;
    }

    /// <summary>Removes the next event (the one <see cref="TryPeek"/> returns).</summary>
    public void RemoveNext()
    {
        var next = _events.Min;
        _events.Remove(next);
        Changes.Removed(next);
    }

    /// <summary>Every event, in firing order, as a checkpoint lists them.</summary>
    public CheckpointEvent[] ToCheckpoint() => _events.ToArray();

    /// <summary>Every event, in firing order.</summary>
    public SortedSet<CheckpointEvent>.Enumerator GetEnumerator() => _events.GetEnumerator();

    /// <summary>Puts back a checkpoint's events; the restored schedule counts as checkpointed.</summary>
    /// <returns>True when a retry is among them.</returns>
    public bool Restore(IEnumerable<CheckpointEvent> events)
    {
        bool retry = false;
        foreach (var e in events)
        {
            if (!Enum.IsDefined((EventKind)e.Kind))
                throw new InvalidOperationException($"the persisted state holds a scheduled event of unknown kind {e.Kind}");
            Add((EventKind)e.Kind, e.Id, e.Time);
            retry |= e.Kind == (int)EventKind.Retry;
        }
        Changes.Clear();
        return retry;
    }
}
