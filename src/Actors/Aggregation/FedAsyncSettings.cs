using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Aggregation;

/// <summary>The settings of <see cref="FedAsync"/> (<c>fedactors.server.*</c> with <c>algorithm = fedasync</c>).</summary>
public sealed record FedAsyncSettings : IStrategySettings
{
    private const string Path = "fedactors.server";

    private FedAsyncSettings() { }

    /// <inheritdoc />
    public string Name => "fedasync";

    /// <summary>Clients training at once. <value>Default 100.</value></summary>
    public int Concurrency { get; init; } = 100;

    /// <summary>α, the mixing hyperparameter, in (0, 1] (<c>fedactors.server.fedasync.alpha</c>). <value>Default 0.6.</value></summary>
    public double Alpha { get; init; } = 0.6;

    /// <summary>s(τ) and τ_max.</summary>
    public StalenessSettings Staleness { get; init; } = StalenessSettings.Default;

    /// <summary>Defaults, as in reference.conf.</summary>
    public static FedAsyncSettings Default { get; } = new();

    /// <inheritdoc />
    public Participation Participation => new Participation.Continuous(Concurrency);

    /// <inheritdoc />
    public int? UpdatesPerStep => 1;

    /// <inheritdoc />
    public IAggregationStrategy Create(int dimension) => new FedAsync(this, dimension);

    /// <summary>Reads and validates the keys FedAsync uses.</summary>
    public static FedAsyncSettings Create(Config config)
    {
        var c = new ConfigReader(config, Path);
        return new FedAsyncSettings
        {
            Concurrency = c.Int("concurrency", min: 1),
            Alpha = c.Double("fedasync.alpha", minExclusive: 0, max: 1),
            Staleness = StalenessSettings.Create(config),
        };
    }
}
