using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Aggregation;

/// <summary>The settings of <see cref="FedBuff"/> (<c>fedactors.server.*</c> with <c>algorithm = fedbuff</c>).</summary>
public sealed record FedBuffSettings : IStrategySettings
{
    private const string Path = "fedactors.server";

    private FedBuffSettings() { }

    /// <inheritdoc />
    public string Name => "fedbuff";

    /// <summary>Clients training at once. <value>Default 100.</value></summary>
    public int Concurrency { get; init; } = 100;

    /// <summary>K, updates per server step. <value>Default 10.</value></summary>
    public int BufferSize { get; init; } = 10;

    /// <summary>c_i of buffered updates. <value>Default sample-weighted.</value></summary>
    public UpdateWeighting Weighting { get; init; } = UpdateWeighting.SampleWeighted;

    /// <summary>s(τ), τ_max and the normalization of the buffered sum.</summary>
    public StalenessSettings Staleness { get; init; } = StalenessSettings.Default;

    /// <summary>The server optimizer the pseudo-gradient steps. <value>Default sgd, η = 1.</value></summary>
    public ServerOptimizerSettings Optimizer { get; init; } = ServerOptimizerSettings.Default;

    /// <summary>How a flush combines the buffer (<c>aggregator</c>): the weighted mean, or a robust statistic. <value>Default mean.</value></summary>
    public Combiners Aggregator { get; init; } = Combiners.Mean;

    /// <summary>Defaults, as in reference.conf.</summary>
    public static FedBuffSettings Default { get; } = new();

    /// <inheritdoc />
    public Participation Participation => new Participation.Continuous(Concurrency);

    /// <inheritdoc />
    public int? UpdatesPerStep => BufferSize;

    /// <inheritdoc />
    public IAggregationStrategy Create(int dimension) => new FedBuff(this, dimension);

    /// <summary>Reads and validates the keys FedBuff uses.</summary>
    public static FedBuffSettings Create(Config config)
    {
        var c = new ConfigReader(config, Path);
        return new FedBuffSettings
        {
            Concurrency = c.Int("concurrency", min: 1),
            BufferSize = c.Int("buffer-size", min: 1),
            Weighting = c.Enum("weighting", UpdateWeightings.Parse),
            Staleness = StalenessSettings.Create(config),
            Optimizer = ServerOptimizerSettings.Create(config),
            Aggregator = Combiners.Create(config),
        };
    }
}
