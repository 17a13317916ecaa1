using System.Data.Common;
using Akka.Actor;
using Akka.Configuration;
using FedActors.Actors.Persistence;
using FedActors.Tests.Shared;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace FedActors.Actors.Tests.Persistence;

/// <summary>
/// What the coordinator relies on from the journal and snapshot store, checked against a real database:
/// recovery in a new actor system gives back exactly what was persisted, and after a checkpoint
/// (snapshot, then delete what it replaces) only the snapshot and later events.
/// </summary>
public abstract class JournalRoundTripSpecs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _persistenceId = "ledger-" + Guid.NewGuid().ToString("N");

    /// <summary>The persistence HOCON under test; every call points at the same database.</summary>
    protected abstract Config PersistenceHocon();

    /// <summary>A connection to the database under test, for counting rows.</summary>
    protected abstract DbConnection OpenConnection();

    private ActorSystem NewSystem() => ActorSystem.Create(
        "journal-" + Guid.NewGuid().ToString("N")[..8],
        PersistenceHocon().WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING, akka.stdout-loglevel = WARNING")));

    private async Task<T> WithLedger<T>(Func<IActorRef, Task<T>> use)
    {
        var system = NewSystem();
        try { return await use(system.ActorOf(Ledger.Props(_persistenceId))); }
        finally { await system.Terminate(); }
    }

    private static async Task<long> Append(IActorRef ledger, byte[] payload) =>
        (await ledger.Ask<Ledger.Appended>(new Ledger.Append(payload), Timeout)).SequenceNr;

    private static Task<Ledger.History> History(IActorRef ledger) => ledger.Ask<Ledger.History>(new Ledger.GetHistory(), Timeout);

    private static async Task Checkpoint(IActorRef ledger, byte[] state)
    {
        var reply = await ledger.Ask<object>(new Ledger.Checkpoint(state), Timeout);
        if (reply is Status.Failure f) throw new InvalidOperationException("checkpoint failed", f.Cause);
        Assert.IsType<Ledger.CheckpointDone>(reply);
    }

    private static byte[] Payload(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private async Task<long> Count(string table, string where = "")
    {
        await using var connection = OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE persistence_id = @id {where}";
        var p = command.CreateParameter();
        p.ParameterName = "id";
        p.Value = _persistenceId;
        command.Parameters.Add(p);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Recovery_in_a_new_actor_system_must_replay_exactly_the_persisted_events_in_order()
    {
        // Sizes include an empty event and one the size of a simple-cnn update (~180 KB).
        var payloads = new[] { Payload(1, 16), Payload(2, 0), Payload(3, 180_000), Payload(4, 1), Payload(5, 4096) };
        var sequenceNrs = await WithLedger(async ledger =>
        {
            var nrs = new List<long>();
            foreach (var p in payloads) nrs.Add(await Append(ledger, p));
            return nrs;
        });
        Assert.Equal([1L, 2, 3, 4, 5], sequenceNrs);

        var history = await WithLedger(History);

        Assert.Null(history.Snapshot);
        Assert.Equal([1L, 2, 3, 4, 5], history.Events.Select(e => e.SequenceNr));
        Assert.Equal(payloads, history.Events.Select(e => e.Payload));
        Assert.Equal(5, history.LastSequenceNr);
    }

    [Fact]
    public async Task Recovery_after_a_checkpoint_must_yield_the_snapshot_and_only_later_events()
    {
        byte[] first = Payload(10, 1000), second = Payload(11, 200_000);
        await WithLedger(async ledger =>
        {
            for (var i = 0; i < 3; i++) await Append(ledger, Payload(i, 100));
            await Checkpoint(ledger, first);
            for (var i = 3; i < 5; i++) await Append(ledger, Payload(i, 100));
            await Checkpoint(ledger, second);
            return 0;
        });
        var later = new[] { Payload(20, 300), Payload(21, 180_000) };
        var recovered = await WithLedger(async ledger =>
        {
            var h = await History(ledger);
            foreach (var p in later) await Append(ledger, p);
            return h;
        });

        // The newest snapshot, and no event at all: every event up to it was deleted.
        Assert.Equal(second, recovered.Snapshot);
        Assert.Equal(5, recovered.SnapshotSequenceNr);
        Assert.Empty(recovered.Events);
        Assert.Equal(5, recovered.LastSequenceNr);

        var history = await WithLedger(History);

        Assert.Equal(second, history.Snapshot);
        Assert.Equal(5, history.SnapshotSequenceNr);
        // Numbering continues after the deleted events instead of restarting at 1.
        Assert.Equal([6L, 7], history.Events.Select(e => e.SequenceNr));
        Assert.Equal(later, history.Events.Select(e => e.Payload));

        // Deletes free space: one snapshot is left, and at most one journal row (kept, marked deleted, to
        // remember the highest sequence number) remains of those the snapshot replaced.
        Assert.Equal(1, await Count(StateDatabase.SnapshotTable));
        Assert.True(await Count(StateDatabase.JournalTable, "AND sequence_number <= 5") <= 1);
    }
}

/// <summary>The journal round trip on a SQLite file in a temporary run directory.</summary>
public sealed class SqliteJournalRoundTripSpecs : JournalRoundTripSpecs, IDisposable
{
    private readonly DirectoryInfo _runDirectory = Directory.CreateTempSubdirectory("fedactors-sqlite-");

    protected override Config PersistenceHocon() => PersistenceConfig.For(PersistenceSettings.Default, _runDirectory.FullName);

    protected override DbConnection OpenConnection()
    {
        var connection = new SqliteConnection(PersistenceConfig.SqliteConnectionString(PersistenceSettings.Default, _runDirectory.FullName));
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        SqliteConnection.ClearPool(new SqliteConnection(PersistenceConfig.SqliteConnectionString(PersistenceSettings.Default, _runDirectory.FullName)));
        _runDirectory.Delete(recursive: true);
    }
}

/// <summary>The journal round trip on the private PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlJournalRoundTripSpecs(PostgresFixture postgres) : JournalRoundTripSpecs
{
    private PersistenceSettings Settings => PersistenceSettings.Default with
    {
        Provider = PersistenceProvider.PostgreSql,
        ConnectionString = postgres.ConnectionString,
    };

    protected override Config PersistenceHocon() => PersistenceConfig.For(Settings, Path.GetTempPath());

    protected override DbConnection OpenConnection()
    {
        var connection = new NpgsqlConnection(postgres.ConnectionString);
        connection.Open();
        return connection;
    }
}
