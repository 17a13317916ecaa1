using Akka.Actor;
using Akka.Configuration;
using FedActors.Actors.Persistence;

namespace FedActors.Actors.Tests.Persistence;

/// <summary>
/// The in-process journal of <c>provider = memory</c>: what the coordinator relies on from any journal (recovery
/// gives back the newest snapshot and later events, numbering continues after deletes), and that a delete lets
/// the entries go, so that a long run does not hold every step it journaled.
/// </summary>
public sealed class VolatileJournalSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ActorSystem _system = ActorSystem.Create("volatile",
        VolatileJournal.Configuration.WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING, akka.stdout-loglevel = WARNING")));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _system.Terminate();

    private static byte[] Payload(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private async Task<T> WithLedger<T>(string id, Func<IActorRef, Task<T>> use)
    {
        var ledger = _system.ActorOf(Ledger.Props(id));
        try { return await use(ledger); }
        finally { await ledger.GracefulStop(Timeout); }
    }

    private static async Task<long> Append(IActorRef ledger, byte[] payload) =>
        (await ledger.Ask<Ledger.Appended>(new Ledger.Append(payload), Timeout)).SequenceNr;

    private static async Task Checkpoint(IActorRef ledger, byte[] state) =>
        Assert.IsType<Ledger.CheckpointDone>(await ledger.Ask<object>(new Ledger.Checkpoint(state), Timeout));

    private async Task<int> Held(bool journal, string persistenceId)
    {
        var persistence = Akka.Persistence.Persistence.Instance.Apply(_system);
        var plugin = journal ? persistence.JournalFor(null) : persistence.SnapshotStoreFor(null);
        return (await plugin.Ask<VolatileJournal.Held>(new VolatileJournal.CountHeld(persistenceId), Timeout)).Count;
    }

    [Fact]
    public async Task Recovery_must_replay_the_events_of_an_earlier_incarnation_in_order()
    {
        var payloads = new[] { Payload(1, 16), Payload(2, 0), Payload(3, 180_000) };
        await WithLedger("a", async ledger =>
        {
            foreach (var p in payloads) await Append(ledger, p);
            return 0;
        });

        var history = await WithLedger("a", l => l.Ask<Ledger.History>(new Ledger.GetHistory(), Timeout));

        Assert.Null(history.Snapshot);
        Assert.Equal([1L, 2, 3], history.Events.Select(e => e.SequenceNr));
        Assert.Equal(payloads, history.Events.Select(e => e.Payload));
    }

    [Fact]
    public async Task A_checkpoint_must_let_the_replaced_events_and_snapshots_go_and_numbering_continue()
    {
        byte[] first = Payload(10, 1000), second = Payload(11, 2000);
        await WithLedger("b", async ledger =>
        {
            for (var i = 0; i < 3; i++) await Append(ledger, Payload(i, 100));
            await Checkpoint(ledger, first);
            for (var i = 3; i < 5; i++) await Append(ledger, Payload(i, 100));
            await Checkpoint(ledger, second);
            return 0;
        });

        // Nothing of what the newest snapshot replaced is still held.
        Assert.Equal(0, await Held(journal: true, "b"));
        Assert.Equal(1, await Held(journal: false, "b"));

        var later = new[] { Payload(20, 300), Payload(21, 400) };
        await WithLedger("b", async ledger =>
        {
            foreach (var p in later) await Append(ledger, p);
            return 0;
        });
        var history = await WithLedger("b", l => l.Ask<Ledger.History>(new Ledger.GetHistory(), Timeout));

        Assert.Equal(second, history.Snapshot);
        Assert.Equal(5, history.SnapshotSequenceNr);
        Assert.Equal([6L, 7], history.Events.Select(e => e.SequenceNr)); // after the deleted 1 … 5, not from 1 again
        Assert.Equal(later, history.Events.Select(e => e.Payload));
        Assert.Equal(2, await Held(journal: true, "b"));
    }
}
