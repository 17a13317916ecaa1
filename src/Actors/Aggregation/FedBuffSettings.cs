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

    /// <summary>
    /// Clients per cohort (<c>cohorts.size</c>); 0 dispatches continuously and buffers whoever finishes first. With
    /// cohorts, a step takes one cohort's updates, and <see cref="Concurrency"/> and <see cref="BufferSize"/> give way to
    /// the cohorts' size and number. <value>Default 0.</value>
    /// </summary>
    public int CohortSize { get; init; }

    /// <summary>
    /// Poisson cohorts (<c>cohorts.selection = poisson</c>): each client is in a cohort independently with probability
    /// <see cref="CohortSize"/>/N, and with uniform weights a cohort divides by that expected size. <value>Default false.</value>
    /// </summary>
    public bool PoissonCohorts { get; init; }

    /// <summary>Cohorts training at once (<c>cohorts.in-flight</c>). <value>Default 10.</value></summary>
    public int CohortsInFlight { get; init; } = 10;

    /// <summary>Seconds after its dispatch at which a cohort closes with whoever reported (<c>cohorts.deadline</c>); null = none. <value>Default null.</value></summary>
    public double? CohortDeadline { get; init; }

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
    public Participation Participation => CohortSize > 0
        ? new Participation.Cohorts(CohortSize, CohortsInFlight, CohortDeadline) { Poisson = PoissonCohorts }
        : new Participation.Continuous(Concurrency);

    /// <summary>K of the buffer: a cohort's size, or <see cref="BufferSize"/>.</summary>
    public int StepSize => CohortSize > 0 ? CohortSize : BufferSize;

    /// <inheritdoc />
    public int? UpdatesPerStep => StepSize;

    /// <summary>The cohort size when cohorts are drawn by Poisson sampling (each client in with probability size/N), null otherwise.</summary>
    public int? PoissonSampleSize => CohortSize > 0 && PoissonCohorts ? CohortSize : null;

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
            CohortSize = c.Int("cohorts.size", min: 0),
            CohortsInFlight = c.Int("cohorts.in-flight", min: 1),
            CohortDeadline = c.OptionalDouble("cohorts.deadline", minExclusive: 0),
            PoissonCohorts = c.Enum("cohorts.selection", Selection.IsPoisson),
            Weighting = c.Enum("weighting", UpdateWeightings.Parse),
            Staleness = StalenessSettings.Create(config),
            Optimizer = ServerOptimizerSettings.Create(config),
            Aggregator = Combiners.Create(config),
        };
    }
}
