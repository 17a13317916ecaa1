using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Cluster;

/// <summary>
/// A client-role node's settings (<c>fedactors.client-node.*</c>): which of the population's clients it holds
/// and how often it announces them to the coordinator.
/// </summary>
public sealed record ClientNodeSettings
{
    private const string Section = "fedactors.client-node";

    private ClientNodeSettings() { }

    /// <summary>This node's silo: it holds the clients k with k mod <see cref="SiloCount"/> = <see cref="SiloIndex"/>. <value>Default 0.</value></summary>
    public int SiloIndex { get; init; }

    /// <summary>How many silos (client-role nodes) share the population. <value>Default 1.</value></summary>
    public int SiloCount { get; init; } = 1;

    /// <summary>The node sends its registration to the coordinator this often, so a coordinator that took over learns it. <value>Default 2 s.</value></summary>
    public TimeSpan RegisterEvery { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Defaults, as in reference.conf.</summary>
    public static ClientNodeSettings Default { get; } = new();

    /// <summary>Reads and validates <c>fedactors.client-node</c>.</summary>
    public static ClientNodeSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = new ConfigReader(config, Section);
        var settings = new ClientNodeSettings
        {
            SiloIndex = c.Int("silo.index", min: 0),
            SiloCount = c.Int("silo.count", min: 1),
            RegisterEvery = config.GetTimeSpan($"{Section}.register-every", null, allowInfinite: false),
        };
        if (settings.SiloIndex >= settings.SiloCount)
            throw new ConfigurationException($"{Section}.silo.index must be < {Section}.silo.count ({settings.SiloCount}), got {settings.SiloIndex}");
        if (settings.RegisterEvery <= TimeSpan.Zero)
            throw new ConfigurationException($"{Section}.register-every must be > 0, got {config.GetString($"{Section}.register-every")}");
        return settings;
    }

    /// <summary>The ids of the clients this silo holds, among a population of <paramref name="populationSize"/>, ascending.</summary>
    /// <exception cref="ConfigurationException">The silo would hold no client.</exception>
    public int[] OwnClients(int populationSize)
    {
        var own = Enumerable.Range(0, populationSize).Where(k => k % SiloCount == SiloIndex).ToArray();
        if (own.Length == 0)
            throw new ConfigurationException(
                $"silo {SiloIndex} of {SiloCount} holds no client of a population of {populationSize} (fedactors.population.clients); use at most as many silos as clients");
        return own;
    }
}
