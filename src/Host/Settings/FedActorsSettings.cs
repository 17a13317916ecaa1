using Akka.Configuration;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Clients;
using FedActors.Actors.Cluster;
using FedActors.Actors.Configuration;
using FedActors.Actors.Coordination;
using FedActors.Actors.Persistence;
using FedActors.Actors.Population;
using FedActors.Actors.Runs;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;
using FedActors.Training.Centralized;
using FedActors.Training.Data;
using FedActors.Training.LocalTraining;

namespace FedActors.Host.Settings;

/// <summary>
/// The one settings tree of a FedActors configuration: every section of <c>fedactors.*</c>, read once from HOCON
/// through each section's own settings record (all through one <see cref="ConfigReader"/>) and validated together.
/// Every command and every node takes its settings from here, never from the HOCON itself.
/// </summary>
public sealed record FedActorsSettings
{
    private FedActorsSettings() { }

    /// <summary>
    /// <c>fedactors.seed</c>, <c>fedactors.run</c>, <c>fedactors.model.name</c> and <c>fedactors.client</c>, the client update
    /// pipeline included. The seed is a signed 64-bit integer; a negative one keeps its bits as <see cref="RunSettings.Seed"/>.
    /// </summary>
    public RunSettings Run { get; init; } = null!;

    /// <summary><c>fedactors.server</c>: the aggregation strategy <c>algorithm</c> names, with its settings.</summary>
    public IStrategySettings Server { get; init; } = null!;

    /// <summary><c>fedactors.simulation</c>: clock and device profiles.</summary>
    public SimulationSettings Simulation { get; init; } = null!;

    /// <summary><c>fedactors.trainers</c>: the bounded trainer pool.</summary>
    public TrainerSettings Trainers { get; init; } = null!;

    /// <summary><c>fedactors.population.max-idle-actors</c>: how the client region keeps client actors.</summary>
    public ClientRegionSettings Clients { get; init; } = null!;

    /// <summary><c>fedactors.persistence</c>: where and how the coordinator journals.</summary>
    public PersistenceSettings Persistence { get; init; } = null!;

    /// <summary><c>fedactors.cluster</c>: cluster nodes.</summary>
    public ClusterSettings Cluster { get; init; } = null!;

    /// <summary><c>fedactors.client-node</c>: client-role nodes (silos).</summary>
    public ClientNodeSettings ClientNode { get; init; } = null!;

    /// <summary><c>fedactors.data</c>.</summary>
    public DataSettings Data { get; init; } = null!;

    /// <summary><c>fedactors.population</c>.</summary>
    public PopulationSettings Population { get; init; } = null!;

    /// <summary><c>fedactors.centralized</c>: the centralized baseline.</summary>
    public CentralizedOptions Centralized { get; init; } = null!;

    /// <summary><c>fedactors.monitoring</c>: dashboard and metrics endpoint.</summary>
    public MonitoringSettings Monitoring { get; init; } = null!;

    /// <summary>The seed as written in the config (summary.json <c>seed</c>).</summary>
    public long Seed => unchecked((long)Run.Seed);

    /// <summary>A one-node run of these settings over <paramref name="population"/>, evaluated on <paramref name="testSet"/>.</summary>
    public FederatedRunSpec RunSpec(IClientDataSource population, LabeledDataset testSet) =>
        new(FederatedRun.WithLayerSizes(Run, testSet), Server, Simulation, Trainers, population, testSet) { Clients = Clients };

    /// <summary>
    /// Reads and validates every section; the first bad value throws a <see cref="ConfigurationException"/> that names
    /// its key. <paramref name="extensions"/> says which strategies and transforms the config may name (the built-in ones
    /// by default).
    /// </summary>
    public static FedActorsSettings Create(Config config, Extensions? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        extensions ??= Extensions.BuiltIn;
        // Read in this order so that, of several bad values, the same one is reported first.
        var run = RunSettings.Create(config, extensions.Transforms);
        var data = DataSettings.Create(config);
        var population = PopulationSettings.Create(config);
        var centralized = ReadCentralized(config);
        var trainers = TrainerSettings.Create(config);
        try
        {
            TrainingEngines.Resolve(trainers.Engine, run.ModelName);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message);
        }
        var server = extensions.Strategies.Read(config);
        var simulation = SimulationSettings.Create(config);
        if (simulation.Device is { StragglerFraction: > 0, StragglerMode: StragglerMode.Partial } && run.Client.Epochs < 2)
            throw new ConfigurationException(
                "fedactors.simulation.device.stragglers: a straggler doing partial work trains 1 .. local-epochs - 1 epochs, "
                + $"so fedactors.client.local-epochs must be ≥ 2, got {run.Client.Epochs}; or use stragglers.mode = drop");
        return new FedActorsSettings
        {
            Run = run,
            Data = data,
            Population = population,
            Centralized = centralized,
            Trainers = trainers,
            Server = server,
            Simulation = simulation,
            Clients = ClientRegionSettings.Create(config),
            Persistence = PersistenceSettings.Create(config),
            Cluster = ClusterSettings.Create(config),
            ClientNode = ClientNodeSettings.Create(config),
            Monitoring = MonitoringSettings.Create(config),
        };
    }

    /// <summary><c>fedactors.centralized</c>: the pooled baseline.</summary>
    private static CentralizedOptions ReadCentralized(Config config)
    {
        var r = new ConfigReader(config, "fedactors.centralized");
        return new CentralizedOptions
        {
            Epochs = r.Int("epochs", min: 1),
            Sgd = new LocalTrainingOptions
            {
                BatchSize = r.Int("batch-size", min: 1),
                LearningRate = r.Double("lr", minExclusive: 0),
                Momentum = r.Double("momentum", min: 0, maxExclusive: 1),
                WeightDecay = r.Double("weight-decay", min: 0),
            },
            LearningRateDecay = r.Double("lr-decay", minExclusive: 0, max: 1),
            EvalEveryEpochs = r.Int("eval-every-epochs", min: 1),
        };
    }
}
