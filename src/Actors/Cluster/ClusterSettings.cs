using System.Globalization;
using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Cluster;

/// <summary>The role a <c>fedactors node</c> plays in the cluster.</summary>
public enum NodeRole
{
    /// <summary>May host the coordinator singleton; evaluates the global model and writes the run directory.</summary>
    Coordinator,

    /// <summary>Hosts client shards and a trainer pool.</summary>
    Worker,

    /// <summary>Holds its own data and trains for its registered clients (wall clock).</summary>
    Client,
}

/// <summary>Where a cluster run's clients live.</summary>
public enum ClientPlacement
{
    /// <summary>Virtual clients, derived from the config on every node, as sharding entities on worker nodes.</summary>
    Sharded,

    /// <summary>Real clients that client-role nodes register, each trained on the node that holds its data (wall clock only).</summary>
    Registered,
}

/// <summary>A cluster node's network, membership and downing settings (<c>fedactors.cluster.*</c>).</summary>
public sealed record ClusterSettings
{
    private const string Section = "fedactors.cluster";

    private ClusterSettings() { }

    /// <summary>The actor system's name; every node of one cluster uses the same. <value>Default fedactors.</value></summary>
    public string SystemName { get; init; } = "fedactors";

    /// <summary>The host name or IP the node binds and is reached at. <value>Default 127.0.0.1.</value></summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (not for seed nodes). <value>Default 4053.</value></summary>
    public int Port { get; init; } = 4053;

    /// <summary>Seed node addresses (<c>host:port</c> or full <c>akka.tcp://…</c>), comma-separated in config; empty: the node is its own seed. <value>Default empty.</value></summary>
    public ValueList<string> SeedNodes { get; init; } = ValueList<string>.Empty;

    /// <summary>Shards the client population is split into: about 10 × the largest expected number of nodes. <value>Default 100.</value></summary>
    public int Shards { get; init; } = 100;

    /// <summary>Worker nodes that must be up before the coordinator starts the run. <value>Default 1.</value></summary>
    public int MinWorkers { get; init; } = 1;

    /// <summary>Where the run's clients live: virtual ones in worker shards, or real ones registered by client-role nodes. <value>Default sharded.</value></summary>
    public ClientPlacement Clients { get; init; } = ClientPlacement.Sharded;

    /// <summary>With registered clients: registered, reachable clients the coordinator waits for before the run starts. <value>Default 1.</value></summary>
    public int MinClients { get; init; } = 1;

    /// <summary>The coordinator's persistence id: every coordinator-role node of one run uses the same. <value>Default fedactors-run.</value></summary>
    public string RunId { get; init; } = "fedactors-run";

    /// <summary>A client entity idle this long is passivated even if it did not ask to be. <value>Default 120 s.</value></summary>
    public TimeSpan PassivateIdleAfter { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>A job unanswered this long (wall time) is sent to its client again; duplicates are ignored. <value>Default 60 s.</value></summary>
    public TimeSpan JobResendAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Failure detector: interval between heartbeats. <value>Default 1 s.</value></summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Failure detector: missing heartbeats tolerated for this long before a node is unreachable. <value>Default 2 s.</value></summary>
    public TimeSpan AcceptableHeartbeatPause { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Split-brain resolver: membership must be stable this long before unreachable nodes are downed. <value>Default 3 s.</value></summary>
    public TimeSpan DowningStableAfter { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A singleton waits this long after its node was removed before it starts on another node.
    /// <value>Default 1 s.</value>
    /// </summary>
    public TimeSpan DownRemovalMargin { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest Akka.Remote frame in bytes. <value>Default 1048576.</value></summary>
    public int MaximumFrameSize { get; init; } = 1_048_576;

    /// <summary>Float32 values per chunk when a worker fetches a model version (64 KiB at the default). <value>Default 16384.</value></summary>
    public int ModelChunkFloats { get; init; } = 16_384;

    /// <summary>Akka's own log level on cluster nodes, printed to stdout: OFF, ERROR, WARNING, INFO or DEBUG. <value>Default OFF.</value></summary>
    public string AkkaLogLevel { get; init; } = "OFF";

    /// <summary>TLS for Akka.Remote.</summary>
    public TlsSettings Tls { get; init; } = TlsSettings.Disabled;

    /// <summary>Defaults, as in reference.conf.</summary>
    public static ClusterSettings Default { get; } = new();

    /// <summary>The node's own address, <c>akka.tcp://system@host:port</c>.</summary>
    public string SelfAddress => Address(Host, Port);

    /// <summary>The seed nodes as full addresses.</summary>
    public IReadOnlyList<string> SeedAddresses => SeedNodes.Select(ToAddress).ToArray();

    /// <summary>Reads and validates <c>fedactors.cluster</c>.</summary>
    public static ClusterSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = new ConfigReader(config, Section);
        var settings = new ClusterSettings
        {
            SystemName = c.String("system-name"),
            Host = c.String("host"),
            Port = c.Int("port", min: 0),
            SeedNodes = new ValueList<string>(c.String("seed-nodes").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            Shards = c.Int("shards", min: 1),
            MinWorkers = c.Int("min-workers", min: 0),
            Clients = c.Enum("clients", v => v switch
            {
                "sharded" => ClientPlacement.Sharded,
                "registered" => ClientPlacement.Registered,
                _ => throw new ArgumentException("valid values are 'sharded' or 'registered'"),
            }),
            MinClients = c.Int("min-clients", min: 0),
            RunId = c.String("run-id"),
            PassivateIdleAfter = Duration(config, "passivate-idle-after"),
            JobResendAfter = Duration(config, "job-resend-after"),
            HeartbeatInterval = Duration(config, "failure-detector.heartbeat-interval"),
            AcceptableHeartbeatPause = Duration(config, "failure-detector.acceptable-heartbeat-pause"),
            DowningStableAfter = Duration(config, "downing.stable-after"),
            DownRemovalMargin = Duration(config, "downing.removal-margin"),
            MaximumFrameSize = c.Int("maximum-frame-size", min: 32_000),
            ModelChunkFloats = c.Int("model-chunk-floats", min: 1),
            Tls = TlsSettings.Create(config),
            AkkaLogLevel = c.String("akka-log-level").Trim().ToUpperInvariant(),
        };
        if (settings.AkkaLogLevel is not ("OFF" or "ERROR" or "WARNING" or "INFO" or "DEBUG"))
            throw new ConfigurationException($"{Section}.akka-log-level must be OFF, ERROR, WARNING, INFO or DEBUG, got '{settings.AkkaLogLevel}'");
        if (string.IsNullOrWhiteSpace(settings.SystemName) || !settings.SystemName.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
            throw new ConfigurationException($"{Section}.system-name must be letters, digits, '-' or '_', got '{settings.SystemName}'");
        if (string.IsNullOrWhiteSpace(settings.Host)) throw new ConfigurationException($"{Section}.host must not be empty");
        if (settings.Port > 65535) throw new ConfigurationException($"{Section}.port must be ≤ 65535, got {settings.Port}");
        if (string.IsNullOrWhiteSpace(settings.RunId)) throw new ConfigurationException($"{Section}.run-id must not be empty");
        // A frame must hold one chunk of a model version with room for its header.
        if (4L * settings.ModelChunkFloats + 1024 > settings.MaximumFrameSize)
            throw new ConfigurationException(
                $"{Section}.model-chunk-floats ({settings.ModelChunkFloats}, {4L * settings.ModelChunkFloats} bytes) does not fit {Section}.maximum-frame-size ({settings.MaximumFrameSize} bytes)");
        foreach (var seed in settings.SeedNodes) settings.ToAddress(seed);
        return settings;
    }

    /// <summary>
    /// <paramref name="seed"/> as a full address: <c>host:port</c> becomes <c>akka.tcp://system@host:port</c>
    /// (<c>akka.ssl.tcp</c> with TLS); a full address is kept.
    /// </summary>
    public string ToAddress(string seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var s = seed.Trim();
        if (s.Contains("://", StringComparison.Ordinal)) return s;
        int colon = s.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(s[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new ConfigurationException($"{Section}.seed-nodes: '{seed}' is neither host:port nor an akka.tcp:// address");
        return Address(s[..colon], port);
    }

    private string Address(string host, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{(Tls.Enabled ? "akka.ssl.tcp" : "akka.tcp")}://{SystemName}@{host}:{port}");

    private static TimeSpan Duration(Config config, string key)
    {
        var path = $"{Section}.{key}";
        var value = config.GetTimeSpan(path, null, allowInfinite: false);
        if (value <= TimeSpan.Zero) throw new ConfigurationException($"{path} must be > 0, got {config.GetString(path)}");
        return value;
    }
}

/// <summary>TLS for Akka.Remote (<c>fedactors.cluster.tls.*</c>): every node presents a certificate that the others check.</summary>
public sealed record TlsSettings
{
    private TlsSettings() { }

    /// <summary>TLS off.</summary>
    public static TlsSettings Disabled { get; } = new();

    /// <summary>Whether Akka.Remote runs over TLS. <value>Default off.</value></summary>
    public bool Enabled { get; init; }

    /// <summary>The node's certificate with its private key (PKCS#12 file). <value>Default empty.</value></summary>
    public string CertificatePath { get; init; } = "";

    /// <summary>The password of <see cref="CertificatePath"/>. <value>Default empty.</value></summary>
    public string CertificatePassword { get; init; } = "";

    /// <summary>The cluster's CA certificate (PEM): peers must present a certificate it signed. <value>Default empty.</value></summary>
    public string CaCertificatePath { get; init; } = "";

    /// <summary>Reject peers whose certificate chain does not validate. <value>Default on.</value></summary>
    public bool ValidateCertificates { get; init; } = true;

    /// <summary>Reads and validates <c>fedactors.cluster.tls</c>.</summary>
    public static TlsSettings Create(Config config)
    {
        var c = new ConfigReader(config, "fedactors.cluster.tls");
        var tls = new TlsSettings
        {
            Enabled = c.Bool("enabled"),
            CertificatePath = c.String("certificate-path"),
            CertificatePassword = c.String("certificate-password"),
            CaCertificatePath = c.String("ca-certificate-path"),
            ValidateCertificates = c.Bool("validate-certificates"),
        };
        if (tls.Enabled && string.IsNullOrWhiteSpace(tls.CertificatePath))
            throw new ConfigurationException("fedactors.cluster.tls.certificate-path must name a PKCS#12 file when fedactors.cluster.tls.enabled = on");
        if (tls.Enabled && string.IsNullOrWhiteSpace(tls.CaCertificatePath))
            throw new ConfigurationException("fedactors.cluster.tls.ca-certificate-path must name the cluster's CA certificate (PEM) when fedactors.cluster.tls.enabled = on");
        return tls;
    }
}
