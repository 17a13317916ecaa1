using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Aggregation;

/// <summary>The settings of <see cref="FedAvg"/> (<c>fedactors.server.*</c> with <c>algorithm = fedavg</c>).</summary>
public sealed record FedAvgSettings : IStrategySettings
{
    private const string Path = "fedactors.server";

    private FedAvgSettings() { }

    /// <inheritdoc />
    public string Name => "fedavg";

    /// <summary>n, updates that close a round. <value>Default 100.</value></summary>
    public int ClientsPerRound { get; init; } = 100;

    /// <summary>Over-selection fraction: a round selects ceil(n·(1 + over)) clients. <value>Default 0.</value></summary>
    public double OverSelection { get; init; }

    /// <summary>
    /// Poisson sampling (<c>selection = poisson</c>): each client is in a round independently with probability n/N, instead
    /// of exactly ceil(n·(1 + over-selection)) clients. <value>Default false.</value>
    /// </summary>
    public bool Poisson { get; init; }

    /// <summary>Round deadline in (virtual or wall) seconds; null = none. <value>Default null.</value></summary>
    public double? RoundDeadline { get; init; }

    /// <summary>The server optimizer the round's average steps. <value>Default sgd, η = 1: plain FedAvg.</value></summary>
    public ServerOptimizerSettings Optimizer { get; init; } = ServerOptimizerSettings.Default;

    /// <summary>c_i of a round's updates (<c>weighting</c>): FedAvg's n_i, or 1 each. <value>Default sample-weighted.</value></summary>
    public UpdateWeighting Weighting { get; init; } = UpdateWeighting.SampleWeighted;

    /// <summary>Defaults, as in reference.conf.</summary>
    public static FedAvgSettings Default { get; } = new();

    /// <inheritdoc />
    public Participation Participation => new Participation.Rounds(ClientsPerRound, OverSelection, RoundDeadline) { Poisson = Poisson };

    /// <inheritdoc />
    public int? UpdatesPerStep => null;

    /// <summary>n when rounds are drawn by Poisson sampling (each client in with probability n/N), null otherwise.</summary>
    public int? PoissonSampleSize => Poisson ? ClientsPerRound : null;

    /// <inheritdoc />
    public IAggregationStrategy Create(int dimension) => new FedAvg(this, dimension);

    /// <summary>How a round's updates are combined (<c>aggregator</c>): the sample-weighted mean, or a robust statistic. <value>Default mean.</value></summary>
    public Combiners Aggregator { get; init; } = Combiners.Mean;

    /// <summary>Reads and validates the keys FedAvg uses.</summary>
    public static FedAvgSettings Create(Config config)
    {
        var c = new ConfigReader(config, Path);
        var settings = new FedAvgSettings
        {
            Poisson = c.Enum("selection", Selection.IsPoisson),
            ClientsPerRound = c.Int("clients-per-round", min: 1),
            OverSelection = c.Double("over-selection", min: 0),
            RoundDeadline = c.OptionalDouble("round-deadline", minExclusive: 0),
            Weighting = c.Enum("weighting", UpdateWeightings.Parse),
            Optimizer = ServerOptimizerSettings.Create(config),
            Aggregator = Combiners.Create(config),
        };
        if (settings.Poisson && settings.OverSelection != 0)
            throw new ConfigurationException($"{Path}.over-selection must be 0 with selection = poisson: a Poisson round has no fixed size to over-select");
        return settings;
    }
}
