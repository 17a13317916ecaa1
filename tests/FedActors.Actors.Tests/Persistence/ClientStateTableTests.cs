using FedActors.Actors.Coordination;
using FedActors.Actors.Persistence;
using FedActors.Tests.Shared;

namespace FedActors.Actors.Tests.Persistence;

/// <summary>The client-state table on a real SQLite file: rows by (client, job), the memory budget, pruning, runs kept apart.</summary>
public sealed class ClientStateTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fedactors-client-state-tests-").FullName;

    private ClientStateTable Open(string run = "run-a", long memory = 1 << 20) =>
        ClientStateTable.Open(PersistenceSettings.Default, _dir, run, ClientStateTable.ResidualTable, memory);

    [Fact]
    public void A_saved_row_must_load_by_client_and_job_and_a_missing_one_must_not()
    {
        using var table = Open();
        table.Save(3, 10, [1f, -2f, 0.5f]);
        table.Save(3, 12, [4f, 5f, 6f]);
        var into = new float[3];
        Assert.True(table.TryLoad(3, 10, into));
        Assert.Equal([1f, -2f, 0.5f], into);
        Assert.True(table.TryLoad(3, 12, into));
        Assert.Equal([4f, 5f, 6f], into);
        Assert.False(table.TryLoad(3, 11, into));
        Assert.False(table.TryLoad(4, 10, into));
        Assert.Equal(Path.Combine(_dir, ClientStateTable.StateFile), table.Location);
    }

    [Fact]
    public void Rows_must_outlive_the_table_object_and_stay_apart_per_run()
    {
        using (var table = Open()) table.Save(1, 5, [7f, 8f]);
        using var again = Open();
        using var other = Open("run-b");
        var into = new float[2];
        Assert.True(again.TryLoad(1, 5, into));
        Assert.Equal([7f, 8f], into);
        Assert.False(other.TryLoad(1, 5, into));
    }

    [Fact]
    public void A_row_beyond_the_memory_budget_must_be_read_back_from_the_file()
    {
        // Room for one 4-value row: the second evicts the first from memory, never from the table.
        using var table = Open(memory: 16);
        table.Save(1, 1, [1f, 1f, 1f, 1f]);
        table.Save(2, 2, [2f, 2f, 2f, 2f]);
        Assert.Equal(16, table.CachedBytes);
        var into = new float[4];
        Assert.True(table.TryLoad(1, 1, into));
        Assert.Equal([1f, 1f, 1f, 1f], into);
        Assert.Equal(16, table.CachedBytes);
    }

    [Fact]
    public void A_stored_row_of_another_length_must_be_refused_with_its_sizes()
    {
        using var table = Open(memory: 0);
        table.Save(1, 1, [1f, 2f, 3f]);
        var e = Assert.Throws<InvalidDataException>(() => table.TryLoad(1, 1, new float[4]));
        Assert.Contains("12 bytes, not the 4 values", e.Message);
    }

    [Fact]
    public void Retain_must_drop_only_the_listed_clients_rows_before_their_job()
    {
        using var table = Open();
        foreach (var (client, job) in new[] { (1, 1L), (1, 4L), (1, 9L), (2, 2L), (2, 7L), (3, 3L) }) table.Save(client, job, [job]);
        table.Retain(new Dictionary<int, long> { [1] = 9, [2] = 2 });
        var into = new float[1];
        Assert.False(table.TryLoad(1, 1, into));
        Assert.False(table.TryLoad(1, 4, into));
        Assert.True(table.TryLoad(1, 9, into));
        Assert.True(table.TryLoad(2, 2, into));
        Assert.True(table.TryLoad(2, 7, into));
        Assert.True(table.TryLoad(3, 3, into)); // not listed: kept
        Assert.Equal(4, table.RowCount());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>The client-state table on a private PostgreSQL server, as the nodes of a cluster share it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlClientStateTableTests(PostgresFixture postgres)
{
    [Fact(DisplayName = "Nodes that open the table at the same moment on a fresh database must all get it, and see each other's rows")]
    public async Task Nodes_starting_together_must_share_one_table()
    {
        var database = await postgres.Server.CreateDatabaseAsync();
        var settings = PersistenceSettings.Default with { Provider = PersistenceProvider.PostgreSql, ConnectionString = database };
        using var start = new Barrier(8);
        var tables = await Task.WhenAll(Enumerable.Range(0, 8).Select(node => Task.Run(() =>
        {
            start.SignalAndWait();
            var table = ClientStateTable.Open(settings, null, "cluster-run", ClientStateTable.ResidualTable, 0);
            table.Save(node, 1, [node, -node]);
            return table;
        })));
        try
        {
            var into = new float[2];
            Assert.True(tables[0].TryLoad(7, 1, into));
            Assert.Equal([7f, -7f], into);
            Assert.Equal(8, tables[3].RowCount());
        }
        finally
        {
            foreach (var t in tables) t.Dispose();
        }
    }
}

/// <summary>Which residual rows a snapshot still needs, worked by hand.</summary>
public sealed class ClientStateRetentionTests
{
    [Fact(DisplayName = "Each client keeps from the earliest job a job in flight continues from, else from its last taken result")]
    public void Rows_must_be_kept_from_what_jobs_can_still_name()
    {
        var checkpoint = new CoordinatorCheckpoint
        {
            ServerStep = 9, Now = 0, NextJob = 50, Events = [], Abandoned = [], Round = new(0, false, 0, 0),
            Counters = new(new SortedDictionary<string, long>(), 0, 0, 0, 0, 0, 0, 0, 0),
            Window = new(new Dictionary<int, long>(), 0, 0, 0, 0, 0, 0, 0), ParticipationChanges = [], MaxParticipation = 0, PendingEvaluations = [],
            NewRecords = [], LastEvaluationRequested = 0, Finishing = false, Finished = false, Status = RunStatus.Completed,
            FailureReason = null, Target = null, Optimizer = null, RetainedVersions = [9],
            InFlight =
            [
                // Client 1 was sent job 44 continuing from 30, before its result of job 40 came back.
                new CheckpointJob(44, 1, 8, 0, false, false) { PreviousJob = 30 },
                // Client 2's job continues from its last taken result.
                new CheckpointJob(45, 2, 9, 0, false, false) { PreviousJob = 41 },
                // Client 3 has never had a result taken.
                new CheckpointJob(46, 3, 9, 0, false, false),
            ],
        };
        var snapshot = new CoordinatorSnapshot(new RunStarted("f", []), checkpoint, [], [], [], [], 0, 0)
        {
            LastResults = [new ClientJob(1, 40), new ClientJob(2, 41), new ClientJob(4, 12)],
        };

        Assert.Equal(new Dictionary<int, long> { [1] = 30, [2] = 41, [4] = 12 }, ClientStateRetention.KeepFrom(snapshot));
    }
}
