using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using FedActors.Actors.Updates;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace FedActors.Actors.Persistence;

/// <summary>
/// An <see cref="IClientStateStore"/> in a table of the run's database (PostgreSQL, or with SQLite a file of its own beside
/// the run's <c>state.db</c>), keyed by (run, client,
/// job), with the most recently used rows also in memory under a byte budget. Every row is written to the table before
/// <see cref="Save"/> returns, so it outlives the process; in PostgreSQL it also follows its client from one node to another.
/// </summary>
/// <remarks>
/// SQLite writes with <c>synchronous = NORMAL</c>: in write-ahead-log mode a commit then survives the process being killed
/// (what resuming a run is for) without an fsync per update; a power cut can lose the last rows, and a job that needs a
/// lost row fails with an error saying so instead of starting from nothing.
/// </remarks>
public sealed class ClientStateTable : IClientStateStore, IDisposable
{
    private readonly Func<DbConnection> _connect;
    private readonly IDisposable? _source;
    private readonly string? _temporaryDirectory;
    private readonly bool _sqlite;
    private readonly string _table;
    private readonly string _run;
    private readonly ClientStateCache _cache;
    private readonly Lock _writing = new();

    private ClientStateTable(Func<DbConnection> connect, IDisposable? source, bool sqlite, string table, string run, long memoryBytes,
        string location, string? temporaryDirectory)
    {
        (_connect, _source, _sqlite, _table, _run, _temporaryDirectory, Location) = (connect, source, sqlite, table, run, temporaryDirectory, location);
        _cache = new ClientStateCache(memoryBytes);
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        if (!sqlite)
        {
            // Nodes that start together race to create the table, and PostgreSQL's IF NOT EXISTS is not atomic (the loser
            // meets the winner's catalog entries: 23505, 42710): a transaction-scoped advisory lock makes them take turns.
            using var turn = connection.CreateCommand();
            turn.Transaction = transaction;
            turn.CommandText = $"SELECT pg_advisory_xact_lock(hashtext('fedactors:{_table}'))";
            turn.ExecuteNonQuery();
        }
        using var create = connection.CreateCommand();
        create.Transaction = transaction;
        create.CommandText = $"CREATE TABLE IF NOT EXISTS {_table} (run TEXT NOT NULL, client INTEGER NOT NULL, job BIGINT NOT NULL, " +
            $"vals {(sqlite ? "BLOB" : "BYTEA")} NOT NULL, PRIMARY KEY (run, client, job))";
        create.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>The SQLite file of the clients' state, beside the run's <c>state.db</c>.</summary>
    public const string StateFile = "client-state.db";

    /// <summary>The table error-feedback residuals are kept in.</summary>
    public const string ResidualTable = "client_residuals";

    /// <summary>Where the table is: the run's own database, or a file of this process when the run keeps none.</summary>
    public string Location { get; }

    /// <summary>Bytes of rows held in memory.</summary>
    public long CachedBytes => _cache.Bytes;

    /// <summary>
    /// Opens (creating if needed) <paramref name="table"/> in the database <paramref name="settings"/> name for the run
    /// <paramref name="runId"/>. With provider <c>memory</c> the run keeps no database: the rows go to a SQLite file in a
    /// temporary directory of this process, removed on <see cref="Dispose"/>.
    /// </summary>
    /// <param name="settings">The run's persistence settings.</param>
    /// <param name="runDirectory">The run directory (SQLite's default <c>state.db</c> is there); null on a node without one.</param>
    /// <param name="runId">The run's persistence id: runs sharing a database keep apart.</param>
    /// <param name="table">The table name.</param>
    /// <param name="memoryBytes">Bytes of rows to keep in memory as well.</param>
    /// <exception cref="InvalidOperationException">The database cannot be opened or the table created.</exception>
    public static ClientStateTable Open(PersistenceSettings settings, string? runDirectory, string runId, string table, long memoryBytes)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        if (!table.All(c => char.IsAsciiLetterLower(c) || c == '_')) throw new ArgumentException($"'{table}' is not a plain table name", nameof(table));
        try
        {
            switch (settings.Provider)
            {
                case PersistenceProvider.PostgreSql:
                    var source = NpgsqlDataSource.Create(settings.ConnectionString);
                    return new ClientStateTable(source.CreateConnection, source, false, table, runId, memoryBytes, "the run's PostgreSQL database", null);
                case PersistenceProvider.Sqlite when runDirectory is not null:
                    // A file of its own beside state.db: SQLite has one writer per file, and trainers writing residuals
                    // into the journal's file would wait on its step writes and it on theirs.
                    var file = Path.Combine(Path.GetDirectoryName(settings.SqliteFile(runDirectory))!, StateFile);
                    return Sqlite(file, table, runId, memoryBytes, null);
                default:
                    var dir = Directory.CreateTempSubdirectory("fedactors-client-state-").FullName;
                    var path = Path.Combine(dir, StateFile);
                    return Sqlite(path, table, runId, memoryBytes, dir);
            }
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            throw new InvalidOperationException($"the client-state table {table} could not be opened: {e.Message}", e);
        }
    }

    private static ClientStateTable Sqlite(string file, string table, string runId, long memoryBytes, string? temporaryDirectory)
    {
        // Writers of the same file (other trainers, the pruning) wait for each other instead of failing.
        var cs = new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 300 }.ToString();
        using (var connection = new SqliteConnection(cs))
        {
            connection.Open();
            using var wal = connection.CreateCommand();
            // SQLite's default 4 KB pages, not state.db's 64 KB ones: a commit logs every page it changed, and a small
            // model's residual fits in one.
            wal.CommandText = "PRAGMA journal_mode = WAL";
            wal.ExecuteNonQuery();
        }
        return new ClientStateTable(() => new SqliteConnection(cs), null, true, table, runId, memoryBytes, file, temporaryDirectory);
    }

    /// <inheritdoc />
    public bool TryLoad(int clientId, long job, Span<float> values)
    {
        if (_cache.TryCopy(clientId, job, values)) return true;
        using var connection = Open();
        using var select = Command(connection, $"SELECT vals FROM {_table} WHERE run = @run AND client = @client AND job = @job", clientId, job);
        if (select.ExecuteScalar() is not byte[] bytes) return false;
        if (bytes.Length != values.Length * sizeof(float))
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{_table}: the row of client {clientId} after job {job} holds {bytes.Length} bytes, not the {values.Length} values of this model"));
        MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
        _cache.Put(clientId, job, values);
        return true;
    }

    /// <inheritdoc />
    public void Save(int clientId, long job, ReadOnlySpan<float> values)
    {
        // One writer at a time: SQLite has one per file, and trainers that raced for it met SQLITE_BUSY, whose retry
        // sleeps for milliseconds (docs/2026-12-07-compression.md has the measurement).
        using (_writing.EnterScope())
        using (var connection = Open())
        using (var upsert = Command(connection,
                   $"INSERT INTO {_table} (run, client, job, vals) VALUES (@run, @client, @job, @vals) ON CONFLICT (run, client, job) DO UPDATE SET vals = excluded.vals",
                   clientId, job))
        {
            var vals = upsert.CreateParameter();
            vals.ParameterName = "@vals";
            vals.Value = MemoryMarshal.AsBytes(values).ToArray();
            upsert.Parameters.Add(vals);
            upsert.ExecuteNonQuery();
        }
        _cache.Put(clientId, job, values);
    }

    /// <inheritdoc />
    public void Retain(IReadOnlyDictionary<int, long> keepFrom)
    {
        ArgumentNullException.ThrowIfNull(keepFrom);
        _cache.Forget(keepFrom);
        // Under the writers' lock: one pruning at a time, and its delete does not race the trainers for SQLite's writer.
        lock (_writing)
        {
            using var connection = Open();
            var doomed = new List<(int Client, long Keep)>();
            using (var rows = Command(connection, $"SELECT client, MIN(job) FROM {_table} WHERE run = @run GROUP BY client", -1, -1))
            using (var reader = rows.ExecuteReader())
                while (reader.Read())
                {
                    int client = Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture);
                    if (keepFrom.TryGetValue(client, out long keep) && reader.GetInt64(1) < keep) doomed.Add((client, keep));
                }
            if (doomed.Count == 0) return;
            using var transaction = connection.BeginTransaction();
            foreach (var (client, keep) in doomed)
            {
                using var delete = Command(connection, $"DELETE FROM {_table} WHERE run = @run AND client = @client AND job < @job", client, keep);
                delete.Transaction = transaction;
                delete.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    /// <summary>Rows in the table for this run (for tests and reports).</summary>
    public long RowCount()
    {
        using var connection = Open();
        using var count = Command(connection, $"SELECT COUNT(*) FROM {_table} WHERE run = @run", -1, -1);
        return Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _source?.Dispose();
        if (_temporaryDirectory is null) return;
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_temporaryDirectory, recursive: true); }
        catch (IOException) { } // another handle still open: the OS temp directory is cleaned up eventually
    }

    private DbConnection Open()
    {
        var connection = _connect();
        connection.Open();
        if (_sqlite)
        {
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous = NORMAL";
            pragma.ExecuteNonQuery();
        }
        return connection;
    }

    private DbCommand Command(DbConnection connection, string sql, int client, long job)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        Add(command, "@run", _run);
        if (sql.Contains("@client", StringComparison.Ordinal)) Add(command, "@client", client);
        if (sql.Contains("@job", StringComparison.Ordinal)) Add(command, "@job", job);
        return command;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
