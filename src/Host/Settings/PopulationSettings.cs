using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Host.Settings;

/// <summary>The virtual client population (<c>fedactors.population.*</c>).</summary>
public sealed record PopulationSettings
{
    private PopulationSettings() { }

    /// <summary>Number of clients the training data is partitioned over. <value>Default 1000.</value></summary>
    public int Clients { get; init; }

    /// <summary>Reads and validates <c>fedactors.population</c>.</summary>
    public static PopulationSettings Create(Config config)
    {
        var r = new ConfigReader(config, "fedactors.population");
        return new PopulationSettings { Clients = r.Int("clients", min: 1) };
    }
}
