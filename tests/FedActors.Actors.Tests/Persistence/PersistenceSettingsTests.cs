using Akka.Configuration;
using FedActors.Actors.Persistence;
using FedActors.Actors.Tests.Coordination;

namespace FedActors.Actors.Tests.Persistence;

public class PersistenceSettingsTests
{
    private static Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(SettingsTests.Reference());

    [Fact]
    public void Reference_conf_must_parse_into_the_documented_defaults()
    {
        var s = PersistenceSettings.Create(SettingsTests.Reference());
        Assert.Equal(PersistenceSettings.Default, s);
        Assert.Equal(PersistenceProvider.Sqlite, s.Provider);
        Assert.Equal("", s.ConnectionString);
        Assert.Equal(Durability.Step, s.Durability);
        Assert.Equal(100, s.SnapshotEverySteps);
    }

    [Fact]
    public void Settings_must_round_trip_overrides()
    {
        var s = PersistenceSettings.Create(With("""
            fedactors.persistence { provider = postgresql, connection-string = "Host=db;Database=fl;Username=u"
                                    durability = update, snapshot-every-steps = 7 }
            """));
        Assert.Equal(PersistenceProvider.PostgreSql, s.Provider);
        Assert.Equal("Host=db;Database=fl;Username=u", s.ConnectionString);
        Assert.Equal(Durability.Update, s.Durability);
        Assert.Equal(7, s.SnapshotEverySteps);
        Assert.Null(s.SqliteFile("/runs/a"));
    }

    [Theory]
    [InlineData("postgresql", "Host=db;Database=fl;Username=u;Password=s3cret", "s3cret")]
    [InlineData("postgresql", "Host=db;Database=fl;Username=u;PWD='a;b=c'", "a;b=c")]
    [InlineData("sqlite", "Data Source=/runs/a/state.db;Password=s3cret", "s3cret")]
    public void Connection_string_without_password_must_keep_everything_but_the_password(string provider, string connection, string password)
    {
        var s = PersistenceSettings.Create(With($"fedactors.persistence {{ provider = {provider}, connection-string = \"{connection.Replace("\"", "\\\"")}\" }}"));

        var stripped = s.ConnectionStringWithoutPassword();

        Assert.DoesNotContain(password, stripped);
        Assert.DoesNotContain("password", stripped, StringComparison.OrdinalIgnoreCase);
        var again = PersistenceSettings.Create(With($"fedactors.persistence {{ provider = {provider}, connection-string = \"{stripped}\" }}"));
        if (provider == "postgresql")
        {
            var b = new Npgsql.NpgsqlConnectionStringBuilder(again.ConnectionString);
            Assert.Equal(("db", "fl", "u", (string?)null), (b.Host, b.Database, b.Username, b.Password));
        }
        else
        {
            Assert.Equal("/runs/a/state.db", again.SqliteFile("/elsewhere"));
        }
    }

    [Theory]
    [InlineData("postgresql", "Host=db;Database=fl;Username=u")]
    [InlineData("sqlite", "Data Source=/runs/a/state.db")]
    [InlineData("sqlite", "")]
    public void Connection_string_without_a_password_must_be_left_as_written(string provider, string connection)
    {
        var s = PersistenceSettings.Create(With($"fedactors.persistence {{ provider = {provider}, connection-string = \"{connection}\" }}"));

        Assert.Equal(connection, s.ConnectionStringWithoutPassword());
    }

    [Theory]
    [InlineData("fedactors.persistence.provider = mysql",
        "fedactors.persistence.provider: unknown 'mysql'; valid values are sqlite, postgresql, memory")]
    [InlineData("fedactors.persistence.provider = postgresql",
        "fedactors.persistence.connection-string is empty; provider postgresql needs a connection string")]
    [InlineData("fedactors.persistence { provider = postgresql, connection-string = \"Hots=db;Password=secret\" }",
        "fedactors.persistence.connection-string is not an Npgsql connection string, got 'Hots=db;Password=***'")]
    [InlineData("fedactors.persistence.connection-string = \":memory:\"",
        "fedactors.persistence.connection-string must name a SQLite file, got ':memory:'")]
    [InlineData("fedactors.persistence.connection-string = \"Data Sauce=x.db\"",
        "fedactors.persistence.connection-string is not a SQLite connection string, got 'Data Sauce=x.db'")]
    [InlineData("fedactors.persistence.durability = always",
        "fedactors.persistence.durability: unknown 'always'; valid values are step, update")]
    [InlineData("fedactors.persistence.snapshot-every-steps = 0",
        "fedactors.persistence.snapshot-every-steps must be ≥ 1, got 0")]
    [InlineData("fedactors.persistence.snapshot-every-steps = 2.5",
        "fedactors.persistence.snapshot-every-steps must be an integer, got 2.5")]
    public void Invalid_values_must_fail_naming_the_full_key_and_value(string hocon, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => PersistenceSettings.Create(With(hocon)));
        Assert.StartsWith(message, e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Theory]
    [InlineData("", "/runs/a/state.db")]
    [InlineData("other.db", "/runs/a/other.db")]
    [InlineData("Data Source=../b/state.db;Default Timeout=5", "/runs/b/state.db")]
    [InlineData("/var/lib/fl/state.db", "/var/lib/fl/state.db")]
    public void Sqlite_file_must_default_to_state_db_and_resolve_relative_paths_from_the_run_directory(string connectionString, string file)
    {
        var s = PersistenceSettings.Create(With($"fedactors.persistence.connection-string = \"{connectionString}\""));
        Assert.Equal(file, s.SqliteFile("/runs/a"));
    }
}
