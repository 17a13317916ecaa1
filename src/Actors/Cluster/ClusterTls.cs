using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace FedActors.Actors.Cluster;

/// <summary>
/// Mutual TLS for Akka.Remote: each node presents its certificate (PKCS#12) and accepts a peer only if the
/// peer's certificate chains up to the cluster's own CA (not the machine's trust store). Host names are not
/// checked: nodes are reached by IP and each has its own certificate.
/// </summary>
public static class ClusterTls
{
    /// <summary>The actor system's bootstrap: <paramref name="config"/>, plus the TLS setup when <paramref name="tls"/> is enabled.</summary>
    /// <exception cref="ConfigurationException">A certificate file cannot be read.</exception>
    public static ActorSystemSetup Bootstrap(Config config, TlsSettings tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var setup = BootstrapSetup.Create().WithConfig(config);
        return tls.Enabled ? setup.And(Setup(tls)) : ActorSystemSetup.Create(setup);
    }

    /// <summary>The DotNetty TLS setup of <paramref name="tls"/>.</summary>
    /// <exception cref="ConfigurationException">A certificate file cannot be read.</exception>
    public static DotNettySslSetup Setup(TlsSettings tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        X509Certificate2 certificate, ca;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath, tls.CertificatePassword, X509KeyStorageFlags.Exportable);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"fedactors.cluster.tls.certificate-path: cannot read '{tls.CertificatePath}' as PKCS#12 with the given password: {e.Message}");
        }
        if (!certificate.HasPrivateKey)
            throw new ConfigurationException($"fedactors.cluster.tls.certificate-path: '{tls.CertificatePath}' holds no private key");
        try
        {
            ca = X509Certificate2.CreateFromPem(File.ReadAllText(tls.CaCertificatePath));
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ConfigurationException($"fedactors.cluster.tls.ca-certificate-path: cannot read '{tls.CaCertificatePath}' as a PEM certificate: {e.Message}");
        }
        return new DotNettySslSetup(certificate, suppressValidation: !tls.ValidateCertificates, requireMutualAuthentication: true,
            validateCertificateHostname: false, customValidator: (peer, _, remote, _, log) => Trusted(peer, ca, remote, log));
    }

    /// <summary>True when <paramref name="peer"/> chains up to <paramref name="ca"/>.</summary>
    public static bool Trusted(X509Certificate2? peer, X509Certificate2 ca, string? remote = null, ILoggingAdapter? log = null)
    {
        if (peer is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        // A test CA publishes no revocation list.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        bool ok = chain.Build(peer);
        if (!ok) log?.Warning("refused the TLS certificate of {0} ({1}): {2}", remote ?? "a peer", peer.Subject,
            string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim())));
        return ok;
    }
}
