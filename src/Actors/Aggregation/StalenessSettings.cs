using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Aggregation;

/// <summary>How the asynchronous strategies treat stale updates (<c>fedactors.server.staleness.*</c> and <c>max-staleness</c>).</summary>
public sealed record StalenessSettings
{
    private const string Path = "fedactors.server";

    private StalenessSettings() { }

    /// <summary>s(τ). <value>Default inverse-sqrt, 1/√(1 + τ).</value></summary>
    public IStalenessWeight Weight { get; init; } = new InverseSqrtStaleness();

    /// <summary>τ_max: updates staler than this are dropped; null keeps all. <value>Default null.</value></summary>
    public int? MaxStaleness { get; init; }

    /// <summary>FedBuff's normalization of the buffered sum. <value>Default none (the FedBuff paper).</value></summary>
    public StalenessNormalization Normalization { get; init; }

    /// <summary>Defaults, as in reference.conf.</summary>
    public static StalenessSettings Default { get; } = new();

    /// <summary>Reads and validates the keys.</summary>
    public static StalenessSettings Create(Config config)
    {
        var c = new ConfigReader(config, Path);
        var kind = c.Enum("staleness.kind", k => StalenessWeights.Kinds.Contains(k) ? k
            : throw new FormatException($"valid values are {string.Join(", ", StalenessWeights.Kinds)}"));
        IStalenessWeight weight;
        try
        {
            weight = StalenessWeights.Create(kind, c.Double("staleness.a"), c.Double("staleness.b"));
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{Path}.staleness: {e.Message}");
        }
        return new StalenessSettings
        {
            Weight = weight,
            MaxStaleness = c.OptionalInt("max-staleness", min: 0),
            Normalization = c.Enum("staleness.normalization", UpdateWeightings.ParseNormalization),
        };
    }
}
