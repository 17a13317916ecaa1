using System.Text.RegularExpressions;
using Akka.Configuration;
using FedActors.Actors.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace FedActors.Actors.Persistence;

/// <summary>Where the coordinator's events and snapshots go (<c>fedactors.persistence.provider</c>).</summary>
public enum PersistenceProvider
{
    /// <summary>An embedded SQLite file, by default <c>state.db</c> in the run directory.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server named by <c>fedactors.persistence.connection-string</c>.</summary>
    PostgreSql,

    /// <summary>No store: the coordinator journals to memory only, so the run cannot be resumed (quick experiments, baselines).</summary>
    Memory,
}

/// <summary>How often the coordinator persists (<c>fedactors.persistence.durability</c>).</summary>
public enum Durability
{
    /// <summary>Once per server step: a crash loses the updates buffered since the last step.</summary>
    Step,

    /// <summary>Every accepted update: a crash loses nothing that was acknowledged.</summary>
    Update,
}

/// <summary>The coordinator's journal and snapshot store (<c>fedactors.persistence.*</c>).</summary>
public sealed partial record PersistenceSettings
{
    private const string Section = "fedactors.persistence";

    private PersistenceSettings() { }

    /// <summary>sqlite or postgresql. <value>Default sqlite.</value></summary>
    public PersistenceProvider Provider { get; init; } = PersistenceProvider.Sqlite;

    /// <summary>
    /// The database to use. For sqlite a Microsoft.Data.Sqlite connection string (<c>Data Source=…</c>) or a
    /// file path, relative paths taken from the run directory; empty means <c>&lt;run dir&gt;/state.db</c>.
    /// For postgresql an Npgsql connection string; it is required. <value>Default empty.</value>
    /// </summary>
    public string ConnectionString { get; init; } = "";

    /// <summary>step or update. <value>Default step.</value></summary>
    public Durability Durability { get; init; } = Durability.Step;

    /// <summary>
    /// Take a snapshot every this many server steps, after which the journal entries and snapshots it
    /// supersedes are deleted. <value>Default 100.</value>
    /// </summary>
    public int SnapshotEverySteps { get; init; } = 100;

    /// <summary>
    /// A file in the run directory that gets a row per result the coordinator acknowledges, for audits; empty for none
    /// (<c>acknowledgement-log</c>). <value>Default empty.</value>
    /// </summary>
    public string AcknowledgementLog { get; init; } = "";

    /// <summary>Defaults, as in reference.conf.</summary>
    public static PersistenceSettings Default { get; } = new();

    /// <summary>Reads and validates <c>fedactors.persistence</c>.</summary>
    /// <exception cref="ConfigurationException">A key is missing or has a bad value; the message names both.</exception>
    public static PersistenceSettings Create(Config config)
    {
        var c = new ConfigReader(config, Section);
        var provider = c.Enum("provider", v => v switch
        {
            "sqlite" => PersistenceProvider.Sqlite,
            "postgresql" => PersistenceProvider.PostgreSql,
            "memory" => PersistenceProvider.Memory,
            _ => throw new FormatException("valid values are sqlite, postgresql, memory"),
        });
        var connectionString = c.String("connection-string").Trim();
        CheckConnectionString(provider, connectionString, c.Key("connection-string"));
        return new PersistenceSettings
        {
            Provider = provider,
            ConnectionString = connectionString,
            Durability = c.Enum("durability", v => v switch
            {
                "step" => Durability.Step,
                "update" => Durability.Update,
                _ => throw new FormatException("valid values are step, update"),
            }),
            SnapshotEverySteps = c.Int("snapshot-every-steps", min: 1),
            AcknowledgementLog = c.String("acknowledgement-log").Trim(),
        };
    }

    /// <summary>
    /// The absolute path of the SQLite file this run uses, or null for PostgreSQL.
    /// </summary>
    /// <param name="runDirectory">The run directory; an empty connection string means <c>state.db</c> in it.</param>
    public string? SqliteFile(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        if (Provider != PersistenceProvider.Sqlite) return null;
        var path = ConnectionString.Length == 0 ? "state.db" : SqliteDataSource(ConnectionString);
        return Path.GetFullPath(path, Path.GetFullPath(runDirectory));
    }

    /// <summary>
    /// The connection string without its password (Npgsql's <c>Password</c>, or the <c>Password</c> of an encrypted
    /// SQLite file), for files that outlive the process such as run.conf; the string itself when it holds none.
    /// </summary>
    /// <remarks>A resumed run takes the password again from <c>--set</c>, or for PostgreSQL from <c>PGPASSWORD</c> or a passfile.</remarks>
    public string ConnectionStringWithoutPassword()
    {
        switch (Provider)
        {
            case PersistenceProvider.PostgreSql:
                var npgsql = new NpgsqlConnectionStringBuilder(ConnectionString);
                if (npgsql.Password is null) return ConnectionString;
                npgsql.Remove("Password");
                return npgsql.ConnectionString;
            case PersistenceProvider.Sqlite when ConnectionString.Contains('='):
                var sqlite = new SqliteConnectionStringBuilder(ConnectionString);
                if (string.IsNullOrEmpty(sqlite.Password)) return ConnectionString;
                sqlite.Remove("Password");
                return sqlite.ConnectionString;
            default:
                return ConnectionString;
        }
    }

    private static void CheckConnectionString(PersistenceProvider provider, string value, string key)
    {
        if (provider == PersistenceProvider.PostgreSql)
        {
            if (value.Length == 0)
                throw new ConfigurationException($"{key} is empty; provider postgresql needs a connection string, e.g. \"Host=localhost;Database=fedactors;Username=fedactors\"");
            try { _ = new NpgsqlConnectionStringBuilder(value); }
            catch (ArgumentException e) { throw new ConfigurationException($"{key} is not an Npgsql connection string, got '{Redact(value)}': {e.Message}"); }
            return;
        }
        if (value.Length == 0 || provider == PersistenceProvider.Memory) return;
        string dataSource;
        try { dataSource = SqliteDataSource(value); }
        catch (ArgumentException e) { throw new ConfigurationException($"{key} is not a SQLite connection string, got '{Redact(value)}': {e.Message}"); }
        // The file must survive the process: in-memory or temporary databases would make recovery silently start over.
        if (dataSource.Length == 0 || dataSource == ":memory:" || dataSource.Contains("mode=memory", StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException($"{key} must name a SQLite file, got '{Redact(value)}'");
    }

    // A bare path is accepted for convenience; anything with '=' is a connection string.
    private static string SqliteDataSource(string value) =>
        value.Contains('=') ? new SqliteConnectionStringBuilder(value).DataSource : value;

    /// <summary>Hides passwords so that an error message can show the rest of a connection string.</summary>
    internal static string Redact(string connectionString) => PasswordPattern().Replace(connectionString, "$1=***");

    [GeneratedRegex(@"((?:password|pwd)\s*)=[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPattern();
}
