using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Aggregation;

/// <summary>The server optimizer of the strategies that step on a pseudo-gradient (<c>fedactors.server.optimizer.*</c>).</summary>
public sealed record ServerOptimizerSettings
{
    private const string Path = "fedactors.server.optimizer";

    private ServerOptimizerSettings() { }

    /// <summary>sgd | fedavgm | fedadam | fedyogi | fedadagrad. <value>Default sgd.</value></summary>
    public string Name { get; init; } = "sgd";

    /// <summary>η, momentum, β1, β2 and τ. <value>Default η = 1 (FedAvg), the others as in Reddi et al. 2021.</value></summary>
    public ServerOptimizerParameters Parameters { get; init; } = new();

    /// <summary>Defaults, as in reference.conf.</summary>
    public static ServerOptimizerSettings Default { get; } = new();

    /// <summary>A new optimizer for vectors of <paramref name="dimension"/> values.</summary>
    public IServerOptimizer Create(int dimension) => ServerOptimizers.Create(Name, dimension, Parameters);

    /// <summary>Reads and validates <c>fedactors.server.optimizer</c>.</summary>
    public static ServerOptimizerSettings Create(Config config)
    {
        var c = new ConfigReader(config, Path);
        return new ServerOptimizerSettings
        {
            Name = c.Enum("name", n => ServerOptimizers.Names.Contains(n) ? n
                : throw new FormatException($"valid values are {string.Join(", ", ServerOptimizers.Names)}")),
            Parameters = new ServerOptimizerParameters(
                Eta: c.Double("lr", minExclusive: 0),
                Momentum: c.Double("momentum", min: 0, maxExclusive: 1),
                Beta1: c.Double("beta1", min: 0, maxExclusive: 1),
                Beta2: c.Double("beta2", min: 0, maxExclusive: 1),
                Tau: c.Double("tau", minExclusive: 0)),
        };
    }
}
