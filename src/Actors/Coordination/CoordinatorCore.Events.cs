namespace FedActors.Actors.Coordination;

public sealed partial class CoordinatorCore
{
    /// <summary>
    /// The scheduled events (finishes, timeouts, round deadlines, retries) kept in firing order: by time, then
    /// kind, then id. Every key is unique (one finish or timeout per job, one deadline per round, one retry at a
    /// time), so the order (<see cref="CheckpointEvent.CompareTo"/>, the one the journal's fold keeps too) is total. A
    /// sorted set rather than a heap: a full checkpoint and a resume list the events in order without sorting one entry
    /// per job in flight, and <see cref="Changes"/> records what a step's delta checkpoint lists.
    /// </summary>
    private sealed class EventSchedule
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
        public bool TryPeek(out TimedEvent next, out CheckpointEvent at)
        {
            if (_events.Count == 0)
            {
                (next, at) = (default, default);
                return false;
            }
            at = _events.Min;
            next = new TimedEvent((EventKind)at.Kind, at.Id);
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
    }
}
