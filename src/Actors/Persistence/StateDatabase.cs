using Microsoft.Data.Sqlite;

namespace FedActors.Actors.Persistence;

/// <summary>What <see cref="StateDatabase.Inspect"/> found in a SQLite state file.</summary>
/// <param name="Path">The absolute path inspected.</param>
/// <param name="Exists">The file exists.</param>
/// <param name="IsSqlite">SQLite opens and reads the file (a zero-length file counts: SQLite treats it as empty).</param>
/// <param name="HasJournal">The file holds Akka.Persistence.Sql's journal table.</param>
/// <param name="HasSnapshotStore">The file holds Akka.Persistence.Sql's snapshot table.</param>
/// <param name="Error">Why the file is not usable, or null.</param>
public sealed record StateDatabaseInfo(string Path, bool Exists, bool IsSqlite, bool HasJournal, bool HasSnapshotStore, string? Error)
{
    /// <summary>Tables in the database (0: a database nothing was written to yet).</summary>
    public int Tables { get; init; }

    /// <summary>Whether the journal or snapshot store holds entries of the persistence id asked about (null when none was).</summary>
    public bool? HoldsRun { get; init; }
}

/// <summary>
/// The SQLite state file of a run: checks it before an actor system opens it, and prepares it for a
/// process that may be killed at any moment.
/// </summary>
public static class StateDatabase
{
    /// <summary>Akka.Persistence.Sql's journal table (the <c>default</c> table mapping).</summary>
    public const string JournalTable = "journal";

    /// <summary>Akka.Persistence.Sql's snapshot table (the <c>default</c> table mapping).</summary>
    public const string SnapshotTable = "snapshot";

    /// <summary>
    /// Reports whether <paramref name="path"/> is a readable SQLite database and whether it holds the
    /// journal, without creating or changing any file. It assumes that no process is writing the file.
    /// </summary>
    /// <remarks>
    /// A database left by a killed process has a write-ahead log or rollback journal beside it, and even a
    /// read-only open would then write the shared-memory index or need the journal rolled back. Such a file
    /// is inspected through a private copy of it and its log; a file without one is opened as immutable,
    /// which writes nothing (a read-only open of a WAL database creates empty <c>-wal</c> and <c>-shm</c> files).
    /// </remarks>
    public static StateDatabaseInfo Inspect(string path, string? persistenceId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) return new(full, false, false, false, false, $"{full} does not exist");
        var sidecars = new[] { "-wal", "-journal" }.Where(s => File.Exists(full + s)).ToArray();
        if (sidecars.Length == 0) return Read(full, Immutable(full), persistenceId);
        var copyDir = Directory.CreateTempSubdirectory("fedactors-inspect-");
        try
        {
            var copy = System.IO.Path.Combine(copyDir.FullName, "state.db");
            File.Copy(full, copy);
            foreach (var s in sidecars) File.Copy(full + s, copy + s);
            // Read-write on the copy, so that SQLite can replay the log or roll back the journal as it would on the original.
            var info = Read(full, new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString(), persistenceId);
            return info;
        }
        catch (IOException e)
        {
            return new(full, true, false, false, false, $"{full} could not be copied for inspection: {e.Message}");
        }
        finally
        {
            copyDir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Page size of a new state database: SQLite's largest. A journaled step holds one model version
    /// (180 KB for simple-cnn); in 4 KB pages that is 45 overflow pages, each written to the log and again
    /// to the file by a checkpoint, one system call per page (measured: about 90 writes and 56 reads per
    /// step). In 64 KB pages it is 3.
    /// </summary>
    public const int PageSize = 65536;

    /// <summary>
    /// Creates the file (and its directory) if missing, with <see cref="PageSize"/>-byte pages, and switches
    /// it to write-ahead logging. Page size and mode are stored in the file, so every later connection uses
    /// them; an existing file keeps the page size it was created with.
    /// </summary>
    /// <remarks>
    /// With a write-ahead log a killed process leaves committed transactions in <c>-wal</c>, which the next
    /// open replays; unlike a rollback journal, the file can then still be read read-only. Appends are also
    /// cheaper than rewriting pages, and readers do not block the writer.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The file is not a SQLite database or refuses WAL mode.</exception>
    public static void UseWriteAheadLog(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var builder = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        try
        {
            using var connection = new SqliteConnection(builder.ToString());
            connection.Open();
            using (var pageSize = connection.CreateCommand())
            {
                // Takes effect only while the file is still empty: the WAL switch below writes its header.
                pageSize.CommandText = $"PRAGMA page_size={PageSize}";
                pageSize.ExecuteNonQuery();
            }
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL";
            var mode = command.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"{full}: SQLite kept journal mode '{mode}' instead of wal");
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"{full} is not a usable SQLite database: {e.Message}", e);
        }
    }

    private static StateDatabaseInfo Read(string path, string connectionString, string? persistenceId)
    {
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using (var check = connection.CreateCommand())
            {
                check.CommandText = "PRAGMA quick_check";
                var result = check.ExecuteScalar() as string;
                if (result != "ok") return new(path, true, true, false, false, $"{path} is damaged: quick_check says {result}");
            }
            using var tables = connection.CreateCommand();
            tables.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            var names = new HashSet<string>(StringComparer.Ordinal);
            using (var reader = tables.ExecuteReader())
                while (reader.Read()) names.Add(reader.GetString(0));
            bool? holdsRun = null;
            if (persistenceId is not null)
            {
                using var find = connection.CreateCommand();
                var parts = new List<string>();
                if (names.Contains(JournalTable)) parts.Add($"SELECT 1 FROM {JournalTable} WHERE persistence_id = $id");
                if (names.Contains(SnapshotTable)) parts.Add($"SELECT 1 FROM {SnapshotTable} WHERE persistence_id = $id");
                if (parts.Count == 0) holdsRun = false;
                else
                {
                    find.CommandText = $"SELECT EXISTS({string.Join(" UNION ALL ", parts)})";
                    find.Parameters.AddWithValue("$id", persistenceId);
                    holdsRun = Convert.ToInt64(find.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
                }
            }
            return new(path, true, true, names.Contains(JournalTable), names.Contains(SnapshotTable), null) { Tables = names.Count, HoldsRun = holdsRun };
        }
        catch (SqliteException e)
        {
            return new(path, true, false, false, false, $"{path} is not a readable SQLite database: {e.Message}");
        }
    }

    // SQLite URI: immutable=1 takes no locks and writes no -wal/-shm; the path is percent-encoded by Uri.
    private static string Immutable(string path) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = new Uri(path).AbsoluteUri + "?immutable=1",
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();
}
