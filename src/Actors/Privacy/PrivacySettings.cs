using Akka.Configuration;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Privacy;

/// <summary>How a run protects its clients' updates (<c>fedactors.privacy.mode</c>).</summary>
public enum PrivacyMode
{
    /// <summary>No differential privacy.</summary>
    None,

    /// <summary>Central DP with a trusted aggregator: clipping and Gaussian noise on each step's sum (<see cref="CentralDp"/>).</summary>
    Central,

    /// <summary>Local DP: each client clips and noises its own update before it leaves (<see cref="LocalDp"/>).</summary>
    Local,
}

/// <summary>The settings of <c>fedactors.privacy</c>.</summary>
public sealed record PrivacySettings
{
    private const string Path = "fedactors.privacy";

    /// <summary>The mechanism. <value>Default none.</value></summary>
    public PrivacyMode Mode { get; init; } = PrivacyMode.None;

    /// <summary>C, the L2 norm every update is clipped to. <value>Default 1.</value></summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>z, the noise's standard deviation over C. <value>Default 1.</value></summary>
    public double NoiseMultiplier { get; init; } = 1.0;

    /// <summary>δ of the reported (ε, δ); null takes 1/N^1.1 for N clients. <value>Default null.</value></summary>
    public double? Delta { get; init; }

    /// <summary>
    /// The ε the run may spend at <see cref="Delta"/>: it stops with status budget_exhausted before the step that would
    /// exceed it; null runs to the end and reports what it spent. <value>Default null.</value>
    /// </summary>
    public double? TargetEpsilon { get; init; }

    /// <summary>DP noise from the operating system's cryptographic source (<c>secure-noise</c>). <value>Default false: seeded.</value></summary>
    public bool SecureNoise { get; init; }

    /// <summary>
    /// Whether the coordinator must journal each step before its model leaves (to clients, to evaluation): true with
    /// secure noise, which a replay after a crash could not draw again, so a step released but not journaled would be
    /// released a second time with other noise.
    /// </summary>
    public bool WriteAheadSteps => Mode == PrivacyMode.Central && SecureNoise;

    /// <summary>Adaptive clipping's target quantile γ; null keeps <see cref="ClipNorm"/> fixed. <value>Default null.</value></summary>
    public double? AdaptiveQuantile { get; init; }

    /// <summary>Adaptive clipping's η. <value>Default 0.2.</value></summary>
    public double AdaptiveLearningRate { get; init; } = 0.2;

    /// <summary>Adaptive clipping's σ_b; null takes the updates per step / 20. <value>Default null.</value></summary>
    public double? AdaptiveCountStdDev { get; init; }

    /// <summary>
    /// n of Poisson sampling, FedAvg's rounds (<c>fedactors.server.selection = poisson</c>) or FedBuff's cohorts
    /// (<c>cohorts.selection = poisson</c>): every client is in each step's sample with probability n/N, which earns
    /// central DP amplification by sampling; null when the run's selection gives none.
    /// </summary>
    public int? PoissonSampleSize { get; init; }

    /// <summary>Defaults, as in reference.conf: no DP.</summary>
    public static PrivacySettings Default { get; } = new();

    /// <summary>δ for a population of <paramref name="clients"/>: the configured one, or 1/N^1.1.</summary>
    public double DeltaFor(int clients) => Delta ?? Math.Pow(Math.Max(clients, 2), -1.1);

    /// <summary>Reads and validates <c>fedactors.privacy</c>; with DP on, also the server keys it cannot work with.</summary>
    /// <exception cref="ConfigurationException">A bad value, or a server setting that would let one client weigh more than C.</exception>
    public static PrivacySettings Create(Config config)
    {
        var c = new ConfigReader(config, Path);
        var settings = new PrivacySettings
        {
            Mode = c.Enum("mode", m => m switch
            {
                "none" => PrivacyMode.None,
                "central" => PrivacyMode.Central,
                "local" => PrivacyMode.Local,
                _ => throw new FormatException("valid values are none, central, local"),
            }),
            ClipNorm = c.Double("clip-norm", minExclusive: 0),
            NoiseMultiplier = c.Double("noise-multiplier", min: 0),
            Delta = c.OptionalDouble("delta", minExclusive: 0, max: 1),
            TargetEpsilon = c.OptionalDouble("target-epsilon", minExclusive: 0),
            SecureNoise = c.Bool("secure-noise"),
            AdaptiveQuantile = c.OptionalDouble("adaptive-quantile", minExclusive: 0),
            AdaptiveLearningRate = c.Double("adaptive-lr", minExclusive: 0),
            AdaptiveCountStdDev = c.OptionalDouble("adaptive-count-stddev", minExclusive: 0),
        };
        if (settings.AdaptiveQuantile >= 1) throw new ConfigurationException($"{Path}.adaptive-quantile must be below 1, got {settings.AdaptiveQuantile}");
        if (settings.Delta == 1) throw new ConfigurationException($"{Path}.delta must be below 1");
        settings = settings with { PoissonSampleSize = ServerSteps(config).PoissonSampleSize };
        // Under local DP the server only post-processes noised updates: any weighting or combiner is fine.
        if (settings.Mode == PrivacyMode.Central) RequireBoundedInfluence(config);
        if (settings.Mode == PrivacyMode.Local && settings.AdaptiveQuantile is not null)
            throw new ConfigurationException($"{Path}.adaptive-quantile works with mode = central only: under local DP no trusted server sees the norms it follows");
        return settings;
    }

    /// <summary>
    /// Whether each update a client sends is charged at dispatch (local DP: the client releases it whatever the server
    /// then does with it) rather than when a step takes it (central DP: only a step's noised sum is released).
    /// </summary>
    public bool ChargesReleases => Mode == PrivacyMode.Local;

    /// <summary>The client-side <see cref="LocalDp"/> transform when <c>mode = local</c>, null otherwise.</summary>
    public LocalDpSettings? LocalTransform => Mode == PrivacyMode.Local
        ? new LocalDpSettings(ClipNorm, NoiseMultiplier) { SecureNoise = SecureNoise }
        : null;

    /// <summary>The <see cref="CentralDp"/> wrapper when <c>fedactors.privacy.mode = central</c>, null otherwise.</summary>
    public static IStrategyWrapperSettings? CentralWrapper(Config config)
    {
        var settings = Create(config);
        if (settings.Mode != PrivacyMode.Central) return null;
        ulong seed = unchecked((ulong)new ConfigReader(config, "fedactors").Long("seed"));
        var central = new CentralDpSettings(settings.ClipNorm, settings.NoiseMultiplier, StalenessSettings.Create(config).Weight, seed)
        {
            SecureNoise = settings.SecureNoise,
            FixedDivisor = settings.PoissonSampleSize,
        };
        if (settings.AdaptiveQuantile is not { } quantile) return central;
        var adaptive = new AdaptiveClipping(quantile, settings.AdaptiveLearningRate, settings.AdaptiveCountStdDev ?? ServerSteps(config).UpdatesPerStep / 20.0);
        try
        {
            adaptive.UpdateNoiseMultiplier(settings.NoiseMultiplier);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ConfigurationException($"{Path}: {e.Message.Split(" (Parameter")[0]}");
        }
        return central with { Adaptive = adaptive };
    }

    // What a step of the configured algorithm takes, as its own settings read it: the updates (FedBuff's buffer or
    // cohort, FedAvg's round, FedAsync's one), and the expected size when its members are drawn by Poisson sampling.
    private static (int UpdatesPerStep, int? PoissonSampleSize) ServerSteps(Config config) =>
        new ConfigReader(config, "fedactors.server").String("algorithm") switch
        {
            "fedbuff" => FedBuffSettings.Create(config) is var buff ? (buff.StepSize, buff.PoissonSampleSize) : default,
            "fedavg" => FedAvgSettings.Create(config) is var avg ? (avg.ClientsPerRound, avg.PoissonSampleSize) : default,
            _ => (1, null),
        };

    // Sample weights, a data-dependent normalization or a robust combiner would each let one client's part of a step
    // exceed C, or change the sensitivity the noise is calibrated to.
    private static void RequireBoundedInfluence(Config config)
    {
        var server = new ConfigReader(config, "fedactors.server");
        if (server.Enum("weighting", UpdateWeightings.Parse) != UpdateWeighting.Uniform)
            throw new ConfigurationException(
                "fedactors.privacy: differential privacy needs fedactors.server.weighting = uniform (sample weights let a client with many samples weigh more than the clip norm)");
        if (StalenessSettings.Create(config).Normalization != StalenessNormalization.None)
            throw new ConfigurationException(
                "fedactors.privacy: differential privacy needs fedactors.server.staleness.normalization = none (a weighted mean divides by a sum the noise is not calibrated to)");
        if (Combiners.Create(config).Name != Combiners.Mean.Name)
            throw new ConfigurationException(
                "fedactors.privacy: differential privacy needs fedactors.server.aggregator = mean (the noise is calibrated to a sum; robust combiners have other sensitivities)");
    }
}
