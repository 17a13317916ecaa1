using Akka.Configuration;
using FedActors.Actors.Coordination;
using FedActors.Actors.Trainers;
using FedActors.Host.Configuration;
using FedActors.Training.Centralized;
using FedActors.Training.LocalTraining;
using FedActors.Training.Models;

namespace FedActors.Host.Settings;

/// <summary>
/// Every typed section the host reads, validated together (<c>fedactors.*</c>). Sections that the runtime
/// or the training core consume are read into their records (<see cref="RunSettings"/>,
/// <see cref="TrainerSettings"/>, <see cref="CentralizedOptions"/>), with the host's error messages.
/// </summary>
public sealed record FedActorsSettings
{
    private FedActorsSettings() { }

    /// <summary>
    /// <c>fedactors.seed</c>, <c>fedactors.run</c>, <c>fedactors.model.name</c> and <c>fedactors.client</c>.
    /// The seed is read as a 64-bit integer; a negative one keeps its bits as <see cref="RunSettings.Seed"/>.
    /// </summary>
    public RunSettings Run { get; init; } = null!;

    /// <summary><c>fedactors.data</c>.</summary>
    public DataSettings Data { get; init; } = null!;

    /// <summary><c>fedactors.population</c>.</summary>
    public PopulationSettings Population { get; init; } = null!;

    /// <summary><c>fedactors.centralized</c>: the centralized baseline.</summary>
    public CentralizedOptions Centralized { get; init; } = null!;

    /// <summary><c>fedactors.trainers</c>.</summary>
    public TrainerSettings Trainers { get; init; } = null!;

    /// <summary>The seed as written in the config (summary.json <c>seed</c>).</summary>
    public long Seed => unchecked((long)Run.Seed);

    /// <summary>Reads and validates all sections; the first bad value throws a <see cref="ConfigException"/>.</summary>
    public static FedActorsSettings Create(Config config)
    {
        // Read in this order so that, of several bad values, the same one is reported first.
        var seed = new ConfigReader(config, FedActorsConfig.Section).Long("seed");
        var run = new ConfigReader(config, "fedactors.run");
        var maxServerSteps = run.PositiveInt("max-server-steps");
        var targetAccuracy = run.NullableProbability("target-accuracy");
        var evalEverySteps = run.PositiveInt("eval-every-steps");
        var stopAtTarget = run.Bool("stop-at-target");
        var data = DataSettings.Create(config);
        var population = PopulationSettings.Create(config);
        var modelName = new ConfigReader(config, "fedactors.model").OneOf("name", ModelCatalog.Names);
        var client = ReadClient(config);
        var centralized = ReadCentralized(config);
        var trainers = ReadTrainers(config);
        try
        {
            TrainingEngines.Resolve(trainers.Engine, modelName);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(e.Message);
        }
        return new FedActorsSettings
        {
            Run = RunSettings.Default with
            {
                Seed = unchecked((ulong)seed),
                MaxServerSteps = maxServerSteps,
                EvalEverySteps = evalEverySteps,
                TargetAccuracy = targetAccuracy,
                StopAtTarget = stopAtTarget,
                ModelName = modelName,
                Client = client,
            },
            Data = data,
            Population = population,
            Centralized = centralized,
            Trainers = trainers,
        };
    }

    /// <summary><c>fedactors.client</c>: local training on each client.</summary>
    private static LocalTrainingOptions ReadClient(Config config)
    {
        var r = new ConfigReader(config, "fedactors.client");
        var epochs = r.PositiveInt("local-epochs");
        var sgd = ReadSgd(r);
        return sgd with { Epochs = epochs, ProximalMu = r.NonNegativeDouble("proximal-mu"), MaxSteps = r.NullablePositiveInt("local-steps") };
    }

    /// <summary><c>fedactors.centralized</c>: the pooled baseline.</summary>
    private static CentralizedOptions ReadCentralized(Config config)
    {
        var r = new ConfigReader(config, "fedactors.centralized");
        var epochs = r.PositiveInt("epochs");
        var sgd = ReadSgd(r);
        return new CentralizedOptions
        {
            Epochs = epochs,
            Sgd = sgd,
            LearningRateDecay = r.Double("lr-decay", "a number in (0, 1]", v => v is > 0 and <= 1),
            EvalEveryEpochs = r.PositiveInt("eval-every-epochs"),
        };
    }

    /// <summary>The SGD keys that <c>fedactors.client</c> and <c>fedactors.centralized</c> share.</summary>
    private static LocalTrainingOptions ReadSgd(ConfigReader r) => new()
    {
        BatchSize = r.PositiveInt("batch-size"),
        LearningRate = r.PositiveDouble("lr"),
        Momentum = r.DoubleInRange("momentum", 0, 1, maxInclusive: false),
        WeightDecay = r.NonNegativeDouble("weight-decay"),
    };

    /// <summary><c>fedactors.trainers</c>: the bounded trainer pool.</summary>
    private static TrainerSettings ReadTrainers(Config config)
    {
        var r = new ConfigReader(config, "fedactors.trainers");
        return TrainerSettings.Default with
        {
            Slots = r.PositiveInt("slots"),
            ThreadsPerSlot = r.NonNegativeInt("threads-per-slot"),
            QueueCapacity = r.NonNegativeInt("queue-capacity"),
            Engine = TrainingEngines.Parse(r.OneOf("engine", TrainingEngines.Names)),
        };
    }
}
