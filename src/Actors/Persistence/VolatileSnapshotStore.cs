using Akka.Persistence;

namespace FedActors.Actors.Persistence;

/// <summary>The snapshot store of <c>fedactors.persistence.provider = memory</c>; deleted snapshots are let go.</summary>
public sealed class VolatileSnapshotStore : Akka.Persistence.Snapshot.SnapshotStore
{
    /// <summary>The plugin's config path.</summary>
    public const string PluginId = "akka.persistence.snapshot-store.fedactors-volatile";

    private readonly List<SelectedSnapshot> _snapshots = new();
    private readonly Lock _gate = new();

    /// <inheritdoc />
    protected override bool ReceivePluginInternal(object message)
    {
        if (message is not VolatileJournal.CountHeld c) return false;
        lock (_gate) Sender.Tell(new VolatileJournal.Held(_snapshots.Count(s => s.Metadata.PersistenceId == c.PersistenceId)), Self);
        return true;
    }

    /// <inheritdoc />
    protected override Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_snapshots.Where(s => s.Metadata.PersistenceId == persistenceId && Matches(criteria, s.Metadata))
                .OrderByDescending(s => s.Metadata.SequenceNr).FirstOrDefault());
        }
    }

    /// <inheritdoc />
    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _snapshots.RemoveAll(s => s.Metadata.PersistenceId == metadata.PersistenceId && s.Metadata.SequenceNr == metadata.SequenceNr);
            _snapshots.Add(new SelectedSnapshot(metadata, snapshot));
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _snapshots.RemoveAll(s => s.Metadata.PersistenceId == metadata.PersistenceId && s.Metadata.SequenceNr == metadata.SequenceNr &&
                (metadata.Timestamp == DateTime.MinValue || s.Metadata.Timestamp == metadata.Timestamp));
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        lock (_gate) _snapshots.RemoveAll(s => s.Metadata.PersistenceId == persistenceId && Matches(criteria, s.Metadata));
        return Task.CompletedTask;
    }

    private static bool Matches(SnapshotSelectionCriteria c, SnapshotMetadata m) =>
        m.SequenceNr <= c.MaxSequenceNr && m.SequenceNr >= c.MinSequenceNr &&
        m.Timestamp <= c.MaxTimeStamp && (c.MinTimestamp is not DateTime min || m.Timestamp >= min);
}
