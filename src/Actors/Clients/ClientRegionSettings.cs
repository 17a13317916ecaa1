using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Clients;

/// <summary>How the one-node client region keeps client actors (<c>fedactors.population.max-idle-actors</c>).</summary>
public sealed record ClientRegionSettings
{
    private ClientRegionSettings() { }

    /// <summary>
    /// Client actors kept alive while idle, least recently used stopped first (the active-entity limit of Akka's sharding
    /// passivation): a client picked again soon is not re-created. Past the limit an idle client costs no actor.
    /// 0 stops every client as soon as it is idle. <value>Default 1000.</value>
    /// </summary>
    public int MaxIdleActors { get; init; } = 1000;

    /// <summary>Defaults, as in reference.conf.</summary>
    public static ClientRegionSettings Default { get; } = new();

    /// <summary>Reads and validates the key.</summary>
    public static ClientRegionSettings Create(Config config) =>
        new() { MaxIdleActors = new ConfigReader(config, "fedactors.population").Int("max-idle-actors", min: 0) };
}
