using Akka.Configuration;
using FedActors.Actors.Configuration;
using FedActors.Actors.Persistence;
using FedActors.Host.Configuration;

namespace FedActors.Host.Runs;

/// <summary>
/// Keeps secrets out of run.conf. The file stays in the run directory, which is copied, archived and shared with
/// the results; a database or certificate password must not travel with it. A resumed run is given them again.
/// </summary>
public static class RunConfSecrets
{
    /// <summary>The journal's connection string: its password is left out.</summary>
    public const string ConnectionStringKey = "fedactors.persistence.connection-string";

    /// <summary>The password of the cluster node's PKCS#12 certificate: left out.</summary>
    public const string CertificatePasswordKey = "fedactors.cluster.tls.certificate-password";

    /// <summary>
    /// <paramref name="effective"/> as run.conf records it, with every secret left out, and one line per secret left out
    /// saying how a resumed run gets it back.
    /// </summary>
    /// <param name="effective">A validated effective configuration.</param>
    public static (Config Config, IReadOnlyList<string> Omitted) Strip(EffectiveConfig effective)
    {
        ArgumentNullException.ThrowIfNull(effective);
        var config = effective.Hocon;
        var omitted = new List<string>();
        var persistence = effective.Settings.Persistence;
        var connection = persistence.ConnectionStringWithoutPassword();
        if (connection != persistence.ConnectionString)
        {
            config = With(config, ConnectionStringKey, connection);
            omitted.Add(persistence.Provider == PersistenceProvider.PostgreSql
                ? $"the password in {ConnectionStringKey}: to resume, set PGPASSWORD, use a passfile, or give the whole string again with --set {ConnectionStringKey}=\"...\""
                : $"the password in {ConnectionStringKey}: to resume, give the whole string again with --set {ConnectionStringKey}=\"...\"");
        }
        if (config.HasPath(CertificatePasswordKey) && config.GetString(CertificatePasswordKey) is { Length: > 0 })
        {
            config = With(config, CertificatePasswordKey, "");
            omitted.Add($"{CertificatePasswordKey}: to resume, give it again with --set {CertificatePasswordKey}=\"...\"");
        }
        return (config, omitted);
    }

    private static Config With(Config config, string key, string value) =>
        ConfigurationFactory.ParseString($"{key} = {HoconString.Quote(value)}").WithFallback(config);
}
