using Akka.Actor;
using Akka.Configuration;
using FedActors.Actors.Persistence;
using Microsoft.Data.Sqlite;

namespace FedActors.Actors.Tests.Persistence;

public sealed class StateDatabaseTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fedactors-inspect-");

    private string StateDb => Path.Combine(_dir.FullName, "state.db");

    public void Dispose()
    {
        SqliteConnection.ClearPool(new SqliteConnection(PersistenceConfig.SqliteConnectionString(PersistenceSettings.Default, _dir.FullName)));
        _dir.Delete(recursive: true);
    }

    /// <summary>Every file in the directory with its bytes: what Inspect must leave exactly as it was.</summary>
    private SortedDictionary<string, string> Files() =>
        new(_dir.EnumerateFiles().ToDictionary(f => f.Name, f => Convert.ToHexString(File.ReadAllBytes(f.FullName))), StringComparer.Ordinal);

    private StateDatabaseInfo InspectUnchanged(string path)
    {
        var before = Files();
        var info = StateDatabase.Inspect(path);
        Assert.Equal(before, Files());
        return info;
    }

    private ActorSystem StartLedgerSystem(out IActorRef ledger)
    {
        var system = ActorSystem.Create("inspect", PersistenceConfig.For(PersistenceSettings.Default, _dir.FullName)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING, akka.stdout-loglevel = WARNING")));
        ledger = system.ActorOf(Ledger.Props("inspected"));
        return system;
    }

    private static async Task PersistAndCheckpoint(IActorRef ledger)
    {
        await ledger.Ask<Ledger.Appended>(new Ledger.Append([1, 2, 3]), Timeout);
        await ledger.Ask<Ledger.CheckpointDone>(new Ledger.Checkpoint([4]), Timeout);
        await ledger.Ask<Ledger.Appended>(new Ledger.Append([5]), Timeout);
    }

    [Fact]
    public void Inspect_must_reject_a_file_of_random_bytes_without_touching_it()
    {
        var bytes = new byte[8192];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(StateDb, bytes);

        var info = InspectUnchanged(StateDb);

        Assert.True(info.Exists);
        Assert.False(info.IsSqlite);
        Assert.False(info.HasJournal);
        Assert.Contains("is not a readable SQLite database", info.Error);
        Assert.Contains(StateDb, info.Error);
    }

    [Fact]
    public void Inspect_must_report_an_empty_file_as_an_empty_database_without_a_journal()
    {
        File.WriteAllBytes(StateDb, []);

        var info = InspectUnchanged(StateDb);

        Assert.True(info.IsSqlite);
        Assert.False(info.HasJournal);
        Assert.Null(info.Error);
        Assert.Equal(0, new FileInfo(StateDb).Length);
    }

    [Fact]
    public void Inspect_must_report_a_missing_file()
    {
        var info = StateDatabase.Inspect(StateDb);

        Assert.False(info.Exists);
        Assert.False(info.IsSqlite);
        Assert.Empty(_dir.EnumerateFileSystemInfos());
    }

    [Fact]
    public void Inspect_must_find_no_journal_in_a_foreign_sqlite_database()
    {
        using (var connection = new SqliteConnection($"Data Source={StateDb};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE events (id INTEGER PRIMARY KEY, body BLOB); INSERT INTO events (body) VALUES (x'00ff')";
            command.ExecuteNonQuery();
        }

        var info = InspectUnchanged(StateDb);

        Assert.True(info.IsSqlite);
        Assert.False(info.HasJournal);
        Assert.False(info.HasSnapshotStore);
        Assert.Null(info.Error);
    }

    [Fact]
    public async Task Inspect_must_find_the_journal_in_a_state_db_closed_cleanly()
    {
        var system = StartLedgerSystem(out var ledger);
        await PersistAndCheckpoint(ledger);
        await system.Terminate();
        // Closing the last connection checkpoints the write-ahead log into the file and removes it.
        SqliteConnection.ClearPool(new SqliteConnection(PersistenceConfig.SqliteConnectionString(PersistenceSettings.Default, _dir.FullName)));
        Assert.Equal(["state.db"], _dir.EnumerateFiles().Select(f => f.Name));

        var info = InspectUnchanged(StateDb);

        Assert.Equal(new StateDatabaseInfo(StateDb, true, true, true, true, null) { Tables = 4 }, info); // journal, tags, snapshot, sqlite_sequence
    }

    [Fact]
    public async Task Inspect_must_find_the_journal_in_a_state_db_left_with_its_write_ahead_log_as_a_killed_process_leaves_it()
    {
        var system = StartLedgerSystem(out var ledger);
        try
        {
            await PersistAndCheckpoint(ledger);
            Assert.True(File.Exists(StateDb + "-wal"));

            var info = InspectUnchanged(StateDb);

            Assert.Equal(new StateDatabaseInfo(StateDb, true, true, true, true, null) { Tables = 4 }, info); // journal, tags, snapshot, sqlite_sequence
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task A_state_db_copied_while_its_writer_runs_must_recover_every_acknowledged_event()
    {
        // Copying the files of a live, idle writer gives what SIGKILL would leave: committed transactions
        // partly in -wal, nothing checkpointed or cleaned up.
        var crashed = Path.Combine(_dir.FullName, "crashed");
        Directory.CreateDirectory(crashed);
        var system = StartLedgerSystem(out var ledger);
        try
        {
            await PersistAndCheckpoint(ledger);
            foreach (var f in _dir.EnumerateFiles()) f.CopyTo(Path.Combine(crashed, f.Name));
        }
        finally
        {
            await system.Terminate();
        }
        Assert.True(File.Exists(Path.Combine(crashed, "state.db-wal")));

        var revived = ActorSystem.Create("revived", PersistenceConfig.For(PersistenceSettings.Default, crashed)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING, akka.stdout-loglevel = WARNING")));
        try
        {
            var history = await revived.ActorOf(Ledger.Props("inspected")).Ask<Ledger.History>(new Ledger.GetHistory(), Timeout);
            Assert.Equal(new byte[] { 4 }, history.Snapshot);
            Assert.Equal(1, history.SnapshotSequenceNr);
            Assert.Equal([2L], history.Events.Select(e => e.SequenceNr));
            Assert.Equal([new byte[] { 5 }], history.Events.Select(e => e.Payload));
        }
        finally
        {
            await revived.Terminate();
            SqliteConnection.ClearPool(new SqliteConnection(PersistenceConfig.SqliteConnectionString(PersistenceSettings.Default, crashed)));
        }
    }
}
