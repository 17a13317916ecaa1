using Akka.Actor;
using Akka.Configuration;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;
using FedActors.Actors.Persistence;
using FedActors.Actors.Population;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;
using FedActors.Actors.Updates;
using FedActors.Training.Data;
using FedActors.Training.Models;

namespace FedActors.Actors.Runs;

/// <summary>Everything one federated run needs besides an observer.</summary>
/// <param name="Run">Seed, length, evaluation cadence, model and local training.</param>
/// <param name="Server">The aggregation strategy (<c>fedactors.server</c>).</param>
/// <param name="Simulation">Clock and devices.</param>
/// <param name="Trainers">The trainer pool.</param>
/// <param name="Population">The clients and their data.</param>
/// <param name="TestSet">The central test set evaluations use.</param>
public sealed record FederatedRunSpec(
    RunSettings Run,
    IStrategySettings Server,
    SimulationSettings Simulation,
    TrainerSettings Trainers,
    IClientDataSource Population,
    LabeledDataset TestSet)
{
    /// <summary>How the client region keeps client actors (<c>fedactors.population.max-idle-actors</c>).</summary>
    public ClientRegionSettings Clients { get; init; } = ClientRegionSettings.Default;

    /// <summary>Weights of version 0; null derives them from the seed with <see cref="WeightInitializer"/>.</summary>
    public float[]? InitialWeights { get; init; }

    /// <summary>Extra ActorSystem configuration (takes precedence over the runtime's defaults).</summary>
    public Config? ActorSystemConfig { get; init; }

    /// <summary>Where the coordinator journals its state; null keeps it in memory only (the run cannot be resumed).</summary>
    public RunPersistence? Persistence { get; init; }

    /// <summary>
    /// Where clients keep per-client vectors (error-feedback residuals) when the update pipeline has any; null opens
    /// <see cref="ClientStateTable"/> in the run's database (or, without one, in a temporary file) for the run's length.
    /// </summary>
    public IClientStateStore? ClientState { get; init; }
}

/// <summary>Where and how a run's coordinator persists its state.</summary>
/// <param name="Settings">Provider, connection, durability, snapshot cadence.</param>
/// <param name="RunDirectory">The run directory (SQLite keeps state.db there).</param>
/// <param name="Fingerprint">Identifies the run's configuration: a journal written under another is refused.</param>
public sealed record RunPersistence(PersistenceSettings Settings, string RunDirectory, string Fingerprint)
{
    /// <summary>The journal's id for the run; runs sharing one database need distinct ids.</summary>
    public string PersistenceId { get; init; } = "coordinator";

    /// <summary>The run has progressed before: a journal that holds nothing of it is refused, not started afresh.</summary>
    public bool ExpectJournal { get; init; }
}

/// <summary>Runs a federated training on one node: actor system, trainer pool, client region and coordinator.</summary>
public static class FederatedRun
{
    /// <summary>Akka settings the runtime starts from: no console logging, the trainer dispatcher, the in-process journal (provider memory).</summary>
    public static Config BaseConfig { get; } = ConfigurationFactory.ParseString("""
        akka {
          loglevel = OFF
          stdout-loglevel = OFF
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
        }
        """).WithFallback(VolatileJournal.Configuration).WithFallback(TrainerPool.DispatcherConfig).WithFallback(StateSerializer.Configuration);

    /// <summary>
    /// Runs until <c>run.max-server-steps</c> (status completed) or until <paramref name="ct"/> is cancelled
    /// (graceful stop after a final evaluation: status stopped). With <see cref="FederatedRunSpec.Persistence"/>,
    /// a journal that already holds the run is resumed.
    /// </summary>
    public static async Task<RunResult> RunAsync(FederatedRunSpec spec, IRunObserver observer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(observer);
        spec = spec with { Run = WithLayerSizes(spec.Run, spec.TestSet) };
        var initial = spec.InitialWeights ?? InitialWeights(spec);
        // Update arrays circulate between this process's trainers and its coordinator instead of one per training.
        var deltas = new DeltaBufferPool(initial.Length);
        var persistence = spec.Persistence;
        var setup = new CoordinatorSetup(spec.Run, spec.Server, spec.Simulation, spec.Population, initial,
            persistence?.PersistenceId ?? "coordinator", persistence?.Fingerprint ?? "in-memory",
            persistence?.Settings.Durability ?? Durability.Step, persistence?.Settings.SnapshotEverySteps ?? PersistenceSettings.Default.SnapshotEverySteps,
            persistence?.ExpectJournal ?? false)
        {
            Deltas = deltas,
        };
        var config = persistence is null ? BaseConfig : PersistenceConfig.For(persistence.Settings, persistence.RunDirectory).WithFallback(BaseConfig);
        if (spec.ActorSystemConfig is not null) config = spec.ActorSystemConfig.WithFallback(config);
        // After PersistenceConfig.For: a new SQLite file gets its page size and log mode before the table is created.
        using var ownState = spec.ClientState is null && spec.Run.Transforms.KeepsClientState
            ? ClientStateTable.Open(persistence?.Settings ?? PersistenceSettings.Default with { Provider = PersistenceProvider.Memory },
                persistence?.RunDirectory, persistence?.PersistenceId ?? "coordinator", ClientStateTable.ResidualTable, spec.Run.Compression.ResidualMemoryBytes)
            : null;
        var clientState = spec.ClientState ?? ownState;
        setup = setup with { ClientState = clientState };
        var system = ActorSystem.Create("fedactors", config);
        try
        {
            var wall = new WallClock();
            var completion = new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            var trainers = system.ActorOf(TrainerPool.Props(spec.Trainers, spec.Population, spec.TestSet, spec.Run.ModelName, deltas, spec.Run.Transforms, clientState,
                spec.Run.Attack.BackdoorTestSet(spec.TestSet)), "trainers");
            var clients = system.ActorOf(ClientRegion.Props(trainers, spec.Clients), "clients");
            var coordinator = system.ActorOf(
                CoordinatorActor.Props(setup, clients, trainers, observer, wall, completion), "coordinator");
            await using var registration = ct.Register(() => coordinator.Tell(CoordinatorProtocol.StopRun.Instance));
            return await completion.Task.ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <paramref name="run"/> with <see cref="RunSettings.LayerSizes"/> filled from its model on <paramref name="data"/>'s
    /// samples when its update pipeline works layer by layer (and they are not set yet); otherwise as it is.
    /// </summary>
    public static RunSettings WithLayerSizes(RunSettings run, LabeledDataset data)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(data);
        if (!run.Transforms.NeedsLayers || run.LayerSizes.Count > 0) return run;
        return run with { LayerSizes = [.. ParameterLayout.For(run.ModelName, data.SampleShape, data.NumClasses).Counts] };
    }

    /// <summary>Version 0 for the spec's model: <see cref="WeightInitializer"/> under the run's seed.</summary>
    public static float[] InitialWeights(FederatedRunSpec spec)
    {
        using var module = ModelCatalog.Create(spec.Run.ModelName, spec.TestSet.SampleShape, spec.TestSet.NumClasses);
        return WeightInitializer.Initialize(ParameterLayout.Of(module), spec.Run.Seed);
    }
}
