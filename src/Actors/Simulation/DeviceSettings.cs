using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Simulation;

/// <summary>How simulated devices behave (<c>fedactors.simulation.device.*</c>).</summary>
public sealed record DeviceSettings
{
    private const string Path = "fedactors.simulation.device";

    private DeviceSettings() { }

    /// <summary>Speed distribution. <value>Default lognormal.</value></summary>
    public SpeedDistribution Speed { get; init; } = SpeedDistribution.LogNormal;

    /// <summary>σ of the log-normal speed. <value>Default 1.0.</value></summary>
    public double Sigma { get; init; } = 1.0;

    /// <summary>Shape of the Pareto speed. <value>Default 2.0.</value></summary>
    public double Shape { get; init; } = 2.0;

    /// <summary>Speeds are clamped to at least this, so no device is infinitely slow. <value>Default 0.02.</value></summary>
    public double MinSpeed { get; init; } = 0.02;

    /// <summary>Virtual seconds one local SGD step takes on a speed-1 device. <value>Default 0.1.</value></summary>
    public double SecondsPerStep { get; init; } = 0.1;

    /// <summary>σ of a per-job log-normal duration factor; 0 disables it. <value>Default 0.1.</value></summary>
    public double Jitter { get; init; } = 0.1;

    /// <summary>Probability that a job's result never arrives. <value>Default 0.</value></summary>
    public double Dropout { get; init; }

    /// <summary>
    /// Probability that a job is a straggler's (FedProx's systems heterogeneity, Li et al. 2020), drawn per job from the
    /// seed. <value>Default 0.</value>
    /// </summary>
    public double StragglerFraction { get; init; }

    /// <summary>What a straggler does: partial work (fewer local epochs) or no result at all. <value>Default partial.</value></summary>
    public StragglerMode StragglerMode { get; init; } = StragglerMode.Partial;

    /// <summary>Seconds after dispatch at which a job that has not reported is given up. <value>Default 600.</value></summary>
    public double JobTimeout { get; init; } = 600;

    /// <summary>Fraction of each availability period a client is online; 1 = always. <value>Default 1.</value></summary>
    public double AvailabilityFraction { get; init; } = 1.0;

    /// <summary>Length of the availability cycle in seconds (each client has its own phase). <value>Default 86400.</value></summary>
    public double AvailabilityPeriod { get; init; } = 86_400;

    /// <summary>Defaults, as in reference.conf.</summary>
    public static DeviceSettings Default { get; } = new();

    /// <summary>Reads and validates <c>fedactors.simulation.device</c>.</summary>
    public static DeviceSettings Create(Config config)
    {
        var c = new ConfigReader(config, Path);
        var s = new DeviceSettings
        {
            Speed = c.Enum("speed.distribution", ParseDistribution),
            Sigma = c.Double("speed.sigma", min: 0),
            Shape = c.Double("speed.shape", minExclusive: 0),
            MinSpeed = c.Double("speed.min", minExclusive: 0),
            SecondsPerStep = c.Double("seconds-per-step", minExclusive: 0),
            Jitter = c.Double("jitter", min: 0),
            Dropout = c.Double("dropout", min: 0, maxExclusive: 1),
            StragglerFraction = c.Double("stragglers.fraction", min: 0, max: 1),
            StragglerMode = c.Enum("stragglers.mode", ParseStragglerMode),
            JobTimeout = c.Double("job-timeout", minExclusive: 0),
            AvailabilityFraction = c.Double("availability.fraction", minExclusive: 0, max: 1),
            AvailabilityPeriod = c.Double("availability.period", minExclusive: 0),
        };
        return s;
    }

    /// <summary>Parses a straggler mode name.</summary>
    public static StragglerMode ParseStragglerMode(string name) => name switch
    {
        "partial" => StragglerMode.Partial,
        "drop" => StragglerMode.Drop,
        _ => throw new FormatException("valid values are partial, drop"),
    };

    /// <summary>Parses a speed distribution name.</summary>
    public static SpeedDistribution ParseDistribution(string name) => name switch
    {
        "constant" => SpeedDistribution.Constant,
        "lognormal" => SpeedDistribution.LogNormal,
        "exponential" => SpeedDistribution.Exponential,
        "half-normal" => SpeedDistribution.HalfNormal,
        "pareto" => SpeedDistribution.Pareto,
        _ => throw new FormatException("valid values are constant, lognormal, exponential, half-normal, pareto"),
    };
}
