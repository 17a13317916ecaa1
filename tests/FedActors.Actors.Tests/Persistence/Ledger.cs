using Akka.Actor;
using Akka.Persistence;

namespace FedActors.Actors.Tests.Persistence;

/// <summary>
/// A minimal persistent actor for journal tests: it persists byte[] events, records what recovery gave it,
/// and on <see cref="Checkpoint"/> saves a snapshot, then deletes the events and snapshots it replaces,
/// as the coordinator does every <c>snapshot-every-steps</c>.
/// </summary>
internal sealed class Ledger : ReceivePersistentActor
{
    public sealed record Append(byte[] Payload);
    public sealed record Appended(long SequenceNr);
    public sealed record Checkpoint(byte[] State);
    public sealed record CheckpointDone(long SequenceNr);
    public sealed record GetHistory;
    public sealed record History(byte[]? Snapshot, long SnapshotSequenceNr, IReadOnlyList<(long SequenceNr, byte[] Payload)> Events, long LastSequenceNr);

    private readonly List<(long, byte[])> _events = [];
    private byte[]? _snapshot;
    private long _snapshotSequenceNr;
    private IActorRef? _checkpointFor;
    private long _checkpointSequenceNr;
    private int _pendingDeletes;

    public Ledger(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<SnapshotOffer>(o => { _snapshot = (byte[])o.Snapshot; _snapshotSequenceNr = o.Metadata.SequenceNr; });
        Recover<byte[]>(e => _events.Add((LastSequenceNr, e)));

        Command<Append>(a =>
        {
            var replyTo = Sender;
            Persist(a.Payload, _ => replyTo.Tell(new Appended(LastSequenceNr)));
        });
        Command<Checkpoint>(c =>
        {
            _checkpointFor = Sender;
            SaveSnapshot(c.State);
        });
        Command<SaveSnapshotSuccess>(s =>
        {
            _checkpointSequenceNr = s.Metadata.SequenceNr;
            _pendingDeletes = 2;
            DeleteMessages(s.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
        });
        Command<DeleteMessagesSuccess>(_ => DeleteDone());
        Command<DeleteSnapshotsSuccess>(_ => DeleteDone());
        Command<SaveSnapshotFailure>(f => _checkpointFor?.Tell(new Status.Failure(f.Cause)));
        Command<DeleteMessagesFailure>(f => _checkpointFor?.Tell(new Status.Failure(f.Cause)));
        Command<DeleteSnapshotsFailure>(f => _checkpointFor?.Tell(new Status.Failure(f.Cause)));
        Command<GetHistory>(_ => Sender.Tell(new History(_snapshot, _snapshotSequenceNr, _events.ToList(), LastSequenceNr)));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new Ledger(persistenceId));

    private void DeleteDone()
    {
        if (--_pendingDeletes == 0) _checkpointFor?.Tell(new CheckpointDone(_checkpointSequenceNr));
    }
}
