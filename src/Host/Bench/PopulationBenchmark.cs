using FedActors.Host.Settings;
using Akka.Configuration;
using FedActors.Actors.Coordination;
using FedActors.Actors.Population;
using FedActors.Actors.Runs;
using FedActors.Training.Data;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Host.Bench;

/// <summary>What a run holds for one population size, beyond what it holds whatever the size.</summary>
/// <param name="Clients">Virtual clients.</param>
/// <param name="IdleManagedBytes">Managed heap the population and coordinator add right after the start (no client has trained yet).</param>
/// <param name="IdleRssBytes">RSS they add; null without /proc.</param>
/// <param name="CountedManagedBytes">Managed heap once every client has had an update applied (participation counted for all).</param>
/// <param name="CountedRssBytes">RSS at that point, relative to the same baseline; null without /proc.</param>
public sealed record PopulationBenchmarkResult(int Clients, long IdleManagedBytes, long? IdleRssBytes, long CountedManagedBytes, long? CountedRssBytes)
{
    /// <summary>Managed bytes per idle client.</summary>
    public double IdleManagedPerClient => PopulationBenchmark.PerClient(IdleManagedBytes, Clients);

    /// <summary>RSS bytes per idle client.</summary>
    public double? IdleRssPerClient => IdleRssBytes is long b ? PopulationBenchmark.PerClient(b, Clients) : null;

    /// <summary>Managed bytes per client once every client participated.</summary>
    public double CountedManagedPerClient => PopulationBenchmark.PerClient(CountedManagedBytes, Clients);

    /// <summary>RSS bytes per client once every client participated.</summary>
    public double? CountedRssPerClient => CountedRssBytes is long b ? PopulationBenchmark.PerClient(b, Clients) : null;
}

/// <summary>
/// Memory per virtual client: builds, for a population of N clients, what a one-node run holds for it outside the
/// actor system (the client data source, the coordinator core with its device profiles, selector, in-flight jobs
/// and counters, the initial model) and measures the managed heap and RSS it adds over a baseline taken just
/// before. Then every client is given one applied update (the coordinator's participation counters after a long
/// run) by restoring the coordinator from its own start checkpoint with that participation, and memory is measured
/// again. Idle clients have no actor: the client region creates one per job and stops it after.
/// </summary>
public static class PopulationBenchmark
{
    /// <summary>Bytes per client, rounded to a tenth.</summary>
    public static double PerClient(long bytes, int clients)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clients);
        return Math.Round((double)bytes / clients, 1);
    }

    /// <summary>Measures a population of <paramref name="clients"/> Synthetic(α, β) clients under <paramref name="settings"/>.</summary>
    /// <param name="settings">The experiment's settings; its population size is replaced.</param>
    /// <param name="synthetic">α, β, IID of the population.</param>
    /// <param name="clients">N.</param>
    /// <param name="testSet">The run's central test set, built by the caller: a fixed cost, outside the measurement.</param>
    public static PopulationBenchmarkResult Run(FedActorsSettings settings, Training.Data.SyntheticSettings synthetic, int clients, LabeledDataset testSet)
    {
        long heap0 = ProcessMemory.ManagedBytes();
        long? rss0 = ProcessMemory.SettledRssBytes();

        var population = new SyntheticClientDataSource(synthetic, settings.Run.Seed, clients);
        var spec = settings.RunSpec(population, testSet);
        var initial = FederatedRun.InitialWeights(spec);
        CoordinatorCore? core = new(spec.Run, spec.Server, spec.Simulation, population, initial);
        var start = core.Start().OfType<StepCommitted>().First().Checkpoint;
        long idleHeap = ProcessMemory.ManagedBytes() - heap0;
        long? idleRss = ProcessMemory.SettledRssBytes() - rss0;
        GC.KeepAlive(core);
        core = null;

        var counted = Counted(spec, population, start, initial, clients);
        long countedHeap = ProcessMemory.ManagedBytes() - heap0;
        long? countedRss = ProcessMemory.SettledRssBytes() - rss0;
        GC.KeepAlive(counted);
        GC.KeepAlive(population);
        return new PopulationBenchmarkResult(clients, idleHeap, idleRss, countedHeap, countedRss);
    }

    // A method of its own, so that the participation dictionary it hands over is garbage once it returns.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static CoordinatorCore Counted(FederatedRunSpec spec, IClientDataSource population, Actors.Coordination.CoordinatorCheckpoint start,
        float[] initial, int clients)
    {
        // Every client counted once, as after a run long enough to have reached them all.
        var participation = new Dictionary<int, int>(clients);
        for (int c = 0; c < clients; c++) participation[c] = 1;
        return CoordinatorCore.Restore(spec.Run, spec.Server, spec.Simulation, population, start,
            new Dictionary<long, float[]> { [0] = initial }, participation, []);
    }
}
