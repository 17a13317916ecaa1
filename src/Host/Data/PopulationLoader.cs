using Akka.Configuration;
using FedActors.Actors.Population;
using FedActors.Host.Settings;
using FedActors.Training.Data;
using FedActors.Training.Partitioning;

namespace FedActors.Host.Data;

/// <summary>The clients and the central test set of a run, as <c>run</c>, <c>node</c> and the benchmarks build them.</summary>
/// <param name="Population">The virtual clients and their data.</param>
/// <param name="Test">The central test set.</param>
/// <param name="Partition">How the pooled training set is split (null for Synthetic, whose devices own their data).</param>
/// <param name="Labels">The pooled training set's labels (empty for Synthetic), for the partition report.</param>
public sealed record LoadedPopulation(IClientDataSource Population, LabeledDataset Test, Partition? Partition, int[] Labels);

/// <summary>Builds a run's population from its settings: a partition of the pooled data set, or Synthetic(α, β) devices.</summary>
public static class PopulationLoader
{
    /// <summary>Loads (or generates) the data and splits it over the configured clients.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="log">Where notices about finding or fetching the data go.</param>
    /// <param name="ct">Cancels a download.</param>
    public static async Task<LoadedPopulation> LoadAsync(FedActorsSettings settings, Action<string> log, CancellationToken ct)
    {
        if (settings.Data.Dataset == "synthetic")
        {
            var synthetic = DatasetLoader.Synthetic(settings.Data);
            var test = DatasetLoader.SyntheticTest(settings);
            var devices = new SyntheticClientDataSource(synthetic, settings.Run.Seed, settings.Population.Clients, settings.Data.Synthetic.CacheBytes);
            return new LoadedPopulation(Poisoned(settings, devices, test), test, null, []);
        }
        var (train, testSet) = await DatasetLoader.LoadPooledAsync(settings, log, ct);
        var partition = ClientPartitioning.Create(settings, train);
        var clients = WithFeatureNoise(settings, new PooledClientDataSource(train, partition.ClientCount, partition.IndicesMemory));
        return new LoadedPopulation(Poisoned(settings, clients, train), testSet, partition, train.Labels);
    }

    /// <summary>
    /// <paramref name="clients"/> as <c>fedactors.data.partition.feature-noise</c> skews them (before any poisoning: a malicious
    /// device's data carries its noise too); unchanged when it is 0.
    /// </summary>
    public static IClientDataSource WithFeatureNoise(FedActorsSettings settings, IClientDataSource clients) =>
        settings.Data.Partition.FeatureNoise > 0
            ? new NoisyClientData(clients, new FeatureNoiseSkew(settings.Data.Partition.FeatureNoise), settings.Run.Seed)
            : clients;

    // A data-poisoning attack (fedactors.attack) changes what the malicious clients train on, wherever they train.
    private static IClientDataSource Poisoned(FedActorsSettings settings, IClientDataSource clients, LabeledDataset pooled)
    {
        try
        {
            return settings.Run.Attack.PoisonData(clients, pooled);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message);
        }
    }
}
