using Akka.Configuration;
using Akka.Persistence.Sql;
using FedActors.Actors.Configuration;
using Microsoft.Data.Sqlite;

namespace FedActors.Actors.Persistence;

/// <summary>
/// The Akka HOCON that points the default journal and snapshot store at Akka.Persistence.Sql, over SQLite
/// or PostgreSQL as <see cref="PersistenceSettings"/> says.
/// </summary>
public static class PersistenceConfig
{
    /// <summary>The journal plugin this config enables.</summary>
    public const string JournalPluginId = "akka.persistence.journal.sql";

    /// <summary>The snapshot store plugin this config enables.</summary>
    public const string SnapshotPluginId = "akka.persistence.snapshot-store.sql";

    /// <summary>Linq2db's provider for Microsoft.Data.Sqlite.</summary>
    public const string SqliteProviderName = "SQLite.MS";

    /// <summary>Linq2db's provider for PostgreSQL 15 and later, through Npgsql.</summary>
    public const string PostgreSqlProviderName = "PostgreSQL.15";

    /// <summary>
    /// Builds the journal and snapshot store config, with Akka.Persistence.Sql's defaults as fallback, for
    /// <c>ActorSystem.Create(name, PersistenceConfig.For(settings, runDirectory).WithFallback(other))</c>.
    /// It leaves <c>akka.actor.serializers</c> and <c>serialization-bindings</c> alone.
    /// </summary>
    /// <remarks>
    /// For SQLite this creates the file's directory and the file if missing, and switches the file to
    /// write-ahead logging (<see cref="StateDatabase.UseWriteAheadLog"/>), so that this must run before the
    /// actor system starts, not while another process writes the file.
    /// </remarks>
    /// <param name="settings">Provider and connection string.</param>
    /// <param name="runDirectory">The run directory; the default SQLite file is <c>state.db</c> in it.</param>
    public static Config For(PersistenceSettings settings, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (provider, connectionString) = settings.Provider switch
        {
            PersistenceProvider.Sqlite => (SqliteProviderName, SqliteConnectionString(settings, runDirectory)),
            PersistenceProvider.PostgreSql => (PostgreSqlProviderName, settings.ConnectionString),
            PersistenceProvider.Memory => throw new ArgumentException("provider memory keeps no store to configure; run without persistence instead", nameof(settings)),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Provider, "unknown persistence provider"),
        };
        if (settings.Provider == PersistenceProvider.Sqlite) StateDatabase.UseWriteAheadLog(settings.SqliteFile(runDirectory)!);
        return ConfigurationFactory.ParseString(Hocon(provider, connectionString))
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>
    /// The HOCON <see cref="For"/> parses, before the fallback: the plugins, the provider, the connection
    /// string, and tables created on first use.
    /// </summary>
    public static string Hocon(string providerName, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var provider = HoconString.Quote(providerName);
        var connection = HoconString.Quote(connectionString);
        int parallelism = providerName == SqliteProviderName ? 1 : 3;
        return $$"""
            akka.persistence {
              journal {
                plugin = "{{JournalPluginId}}"
                sql {
                  provider-name = {{provider}}
                  connection-string = {{connection}}
                  auto-initialize = true
                  # SQLite has one writer at a time: parallel writers only queue on its lock.
                  parallelism = {{parallelism}}
                  # Steps queued behind a write go out as one multi-row insert; inlined, each 180 KB of weights
                  # would be spelled out as 360 KB of hex SQL text and parsed back (measured: most of the
                  # journal's CPU). Parameters bind the bytes as they are.
                  prefer-parameters-on-multirow-insert = true
                  # Deleting a long stretch of large entries after a snapshot can take a while on a busy disk.
                  circuit-breaker.call-timeout = 120s
                }
              }
              snapshot-store {
                plugin = "{{SnapshotPluginId}}"
                sql {
                  provider-name = {{provider}}
                  connection-string = {{connection}}
                  auto-initialize = true
                  circuit-breaker.call-timeout = 120s
                }
              }
            }
            """;
    }

    /// <summary>
    /// The Microsoft.Data.Sqlite connection string for the run: the configured one (or none) with its data
    /// source made absolute, so that the journal does not depend on the process's working directory.
    /// </summary>
    public static string SqliteConnectionString(PersistenceSettings settings, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var file = settings.SqliteFile(runDirectory)
            ?? throw new ArgumentException($"provider is {settings.Provider}, not sqlite", nameof(settings));
        var builder = settings.ConnectionString.Contains('=')
            ? new SqliteConnectionStringBuilder(settings.ConnectionString)
            : new SqliteConnectionStringBuilder();
        builder.DataSource = file;
        // The file must exist already (UseWriteAheadLog creates it); ReadWrite fails loudly instead of
        // creating an empty database somewhere unexpected.
        if (builder.Mode == SqliteOpenMode.ReadWriteCreate) builder.Mode = SqliteOpenMode.ReadWrite;
        return builder.ToString();
    }
}
