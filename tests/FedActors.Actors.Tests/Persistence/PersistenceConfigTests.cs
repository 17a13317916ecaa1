using Akka.Configuration;
using FedActors.Actors.Persistence;
using FedActors.Actors.Tests.Coordination;
using Microsoft.Data.Sqlite;

namespace FedActors.Actors.Tests.Persistence;

public sealed class PersistenceConfigTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fedactors-config-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static PersistenceSettings Settings(string hocon) =>
        PersistenceSettings.Create(ConfigurationFactory.ParseString(hocon).WithFallback(SettingsTests.Reference()));

    [Fact]
    public void Sqlite_config_must_point_both_plugins_at_the_run_directorys_state_db()
    {
        var config = PersistenceConfig.For(PersistenceSettings.Default, _dir.FullName);
        var file = Path.Combine(_dir.FullName, "state.db");
        foreach (var plugin in new[] { "akka.persistence.journal", "akka.persistence.snapshot-store" })
        {
            var id = config.GetString($"{plugin}.plugin");
            Assert.Equal("SQLite.MS", config.GetString($"{id}.provider-name"));
            Assert.Equal(file, new SqliteConnectionStringBuilder(config.GetString($"{id}.connection-string")).DataSource);
            Assert.True(config.GetBoolean($"{id}.auto-initialize"));
            Assert.StartsWith("Akka.Persistence.Sql.", config.GetString($"{id}.class")); // from the fallback
        }
        // Batched steps bind their bytes as parameters instead of spelling them out as hex SQL.
        Assert.True(config.GetBoolean("akka.persistence.journal.sql.prefer-parameters-on-multirow-insert"));
    }

    [Fact]
    public void Sqlite_config_must_leave_the_file_in_write_ahead_log_mode()
    {
        PersistenceConfig.For(PersistenceSettings.Default, Path.Combine(_dir.FullName, "new-run"));
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dir.FullName, "new-run", "state.db")};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
        // Large pages: a journaled model version spans a few pages, not dozens.
        command.CommandText = "PRAGMA page_size";
        Assert.Equal(65536L, command.ExecuteScalar());
    }

    [Fact]
    public void Sqlite_config_must_keep_the_page_size_of_an_existing_state_db()
    {
        var path = Path.Combine(_dir.FullName, "old-run", "state.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var create = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            create.Open();
            using var table = create.CreateCommand();
            table.CommandText = "PRAGMA page_size=4096; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)";
            table.ExecuteNonQuery();
        }

        PersistenceConfig.For(PersistenceSettings.Default, Path.GetDirectoryName(path)!);

        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_size";
        Assert.Equal(4096L, command.ExecuteScalar());
        command.CommandText = "SELECT x FROM t";
        Assert.Equal(7L, command.ExecuteScalar()); // the content is untouched
    }

    [Fact]
    public void Postgresql_config_must_carry_the_connection_string_verbatim_through_hocon()
    {
        // Quotes, backslashes, semicolons and '=' must survive HOCON quoting.
        var settings = PersistenceSettings.Default with
        {
            Provider = PersistenceProvider.PostgreSql,
            ConnectionString = "Host=db.example;Database=fl;Username=u;Password='a\"b\\c;d=e'",
        };

        var config = PersistenceConfig.For(settings, _dir.FullName);

        Assert.Equal("PostgreSQL.15", config.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.Equal("PostgreSQL.15", config.GetString("akka.persistence.snapshot-store.sql.provider-name"));
        Assert.Equal(settings.ConnectionString, config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal(settings.ConnectionString, config.GetString("akka.persistence.snapshot-store.sql.connection-string"));
        Assert.Empty(_dir.EnumerateFileSystemInfos()); // nothing is created for PostgreSQL
    }

    [Fact]
    public void Config_must_leave_serializers_to_the_rest_of_the_system()
    {
        var config = PersistenceConfig.For(PersistenceSettings.Default, _dir.FullName);
        Assert.False(config.HasPath("akka.actor.serializers"));
        Assert.False(config.HasPath("akka.actor.serialization-bindings"));
    }

    [Fact]
    public void Sqlite_connection_string_must_keep_extra_options_and_make_the_path_absolute()
    {
        var settings = Settings("fedactors.persistence.connection-string = \"Data Source=sub/s.db;Default Timeout=7\"");
        var b = new SqliteConnectionStringBuilder(PersistenceConfig.SqliteConnectionString(settings, _dir.FullName));
        Assert.Equal(Path.Combine(_dir.FullName, "sub", "s.db"), b.DataSource);
        Assert.Equal(7, b.DefaultTimeout);
    }
}
