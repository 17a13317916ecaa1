using Akka.Configuration;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Coordination;

/// <summary>The federated algorithm (<c>fedactors.server.algorithm</c>).</summary>
public enum FlAlgorithm
{
    /// <summary>Buffered asynchronous aggregation (Nguyen et al., AISTATS 2022).</summary>
    FedBuff,

    /// <summary>Asynchronous mixing, one update per step (Xie et al. 2019).</summary>
    FedAsync,

    /// <summary>Synchronous rounds (McMahan et al. 2017), optionally over-selected (Bonawitz et al. 2019).</summary>
    FedAvg,
}

/// <summary>The coordinator's algorithm and aggregation (<c>fedactors.server.*</c>).</summary>
public sealed record ServerSettings
{
    private const string Path = "fedactors.server";

    private ServerSettings() { }

    /// <summary>The algorithm. <value>Default fedbuff.</value></summary>
    public FlAlgorithm Algorithm { get; init; } = FlAlgorithm.FedBuff;

    /// <summary>Clients training at once (fedbuff, fedasync). <value>Default 100.</value></summary>
    public int Concurrency { get; init; } = 100;

    /// <summary>K, updates per server step (fedbuff). <value>Default 10.</value></summary>
    public int BufferSize { get; init; } = 10;

    /// <summary>n, updates that close a round (fedavg). <value>Default 100.</value></summary>
    public int ClientsPerRound { get; init; } = 100;

    /// <summary>Over-selection fraction: a round selects ceil(n·(1+over)) clients (fedavg). <value>Default 0.</value></summary>
    public double OverSelection { get; init; }

    /// <summary>Round deadline in (virtual or wall) seconds; null = none (fedavg). <value>Default null.</value></summary>
    public double? RoundDeadline { get; init; }

    /// <summary>τ_max: updates staler than this are dropped; null keeps all. <value>Default null.</value></summary>
    public int? MaxStaleness { get; init; }

    /// <summary>c_i of buffered updates. <value>Default sample-weighted.</value></summary>
    public UpdateWeighting Weighting { get; init; } = UpdateWeighting.SampleWeighted;

    /// <summary>s(τ). <value>Default inverse-sqrt.</value></summary>
    public IStalenessWeight Staleness { get; init; } = new InverseSqrtStaleness();

    /// <summary>Server optimizer name (sgd | fedavgm | fedadam | fedyogi | fedadagrad). <value>Default sgd.</value></summary>
    public string Optimizer { get; init; } = "sgd";

    /// <summary>Server optimizer hyperparameters. <value>Default η = 1.</value></summary>
    public ServerOptimizerParameters OptimizerParameters { get; init; } = new();

    /// <summary>α of FedAsync mixing. <value>Default 0.6.</value></summary>
    public double FedAsyncAlpha { get; init; } = 0.6;

    /// <summary>Defaults, as in reference.conf.</summary>
    public static ServerSettings Default { get; } = new();

    /// <summary>Parses an algorithm name.</summary>
    public static FlAlgorithm ParseAlgorithm(string name) => name switch
    {
        "fedbuff" => FlAlgorithm.FedBuff,
        "fedasync" => FlAlgorithm.FedAsync,
        "fedavg" => FlAlgorithm.FedAvg,
        _ => throw new FormatException("valid values are fedbuff, fedasync, fedavg"),
    };

    /// <summary>The config name of <paramref name="algorithm"/>.</summary>
    public static string Name(FlAlgorithm algorithm) => algorithm.ToString().ToLowerInvariant();

    /// <summary>Reads and validates <c>fedactors.server</c>.</summary>
    public static ServerSettings Create(Config config)
    {
        var c = new ConfigReader(config, Path);
        var stalenessKind = c.Enum("staleness.kind", k => StalenessWeights.Kinds.Contains(k) ? k
            : throw new FormatException($"valid values are {string.Join(", ", StalenessWeights.Kinds)}"));
        var optimizer = c.Enum("optimizer.name", n => ServerOptimizers.Names.Contains(n) ? n
            : throw new FormatException($"valid values are {string.Join(", ", ServerOptimizers.Names)}"));
        IStalenessWeight staleness;
        try
        {
            staleness = StalenessWeights.Create(stalenessKind, c.Double("staleness.a"), c.Double("staleness.b"));
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{Path}.staleness: {e.Message}");
        }
        return new ServerSettings
        {
            Algorithm = c.Enum("algorithm", ParseAlgorithm),
            Concurrency = c.Int("concurrency", min: 1),
            BufferSize = c.Int("buffer-size", min: 1),
            ClientsPerRound = c.Int("clients-per-round", min: 1),
            OverSelection = c.Double("over-selection", min: 0),
            RoundDeadline = c.OptionalDouble("round-deadline", minExclusive: 0),
            MaxStaleness = c.OptionalInt("max-staleness", min: 0),
            Weighting = c.Enum("weighting", UpdateWeightings.Parse),
            Staleness = staleness,
            Optimizer = optimizer,
            OptimizerParameters = new ServerOptimizerParameters(
                Eta: c.Double("optimizer.lr", minExclusive: 0),
                Momentum: c.Double("optimizer.momentum", min: 0, maxExclusive: 1),
                Beta1: c.Double("optimizer.beta1", min: 0, maxExclusive: 1),
                Beta2: c.Double("optimizer.beta2", min: 0, maxExclusive: 1),
                Tau: c.Double("optimizer.tau", minExclusive: 0)),
            FedAsyncAlpha = c.Double("fedasync.alpha", minExclusive: 0, max: 1),
        };
    }
}
