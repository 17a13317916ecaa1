using System.Security.Cryptography;
using Akka.Configuration;
using FedActors.Actors.Population;
using FedActors.Host.Settings;
using FedActors.Training.Data;
using FedActors.Training.Partitioning;

namespace FedActors.Host.Data;

/// <summary>
/// The data a client-role node (a silo) keeps: the samples of its own clients and nothing else. Fashion-MNIST
/// is read from the node's own data directory (<c>fedactors.data.dir</c> / <c>--data-dir</c>) and cut with the
/// run's partition (<c>fedactors.data.partition</c> over <c>fedactors.population.clients</c>), the same one a
/// one-process run uses; the node copies its clients' samples out and drops the rest. Synthetic(α, β) clients
/// are generated from (seed, client id), so a silo only ever generates its own. A data-poisoning attack
/// (<c>fedactors.attack</c>: label flipping, a backdoor) poisons the silo's malicious clients as it would on their devices.
/// </summary>
public static class SiloData
{
    /// <summary>Loads the data of <paramref name="clients"/>.</summary>
    /// <param name="settings">Dataset, partition, population and seed.</param>
    /// <param name="clients">The ids of the silo's clients.</param>
    /// <param name="name">Names the silo's dataset, e.g. <c>silo-0</c>.</param>
    /// <param name="log">Where the dataset was found.</param>
    /// <param name="ct">Cancels the load.</param>
    /// <returns>The silo's clients, and a SHA-256 of their samples as stored, before any simulated poisoning (features as
    /// little-endian float32, then labels as int32), hex.</returns>
    /// <exception cref="FedActorsException">The dataset cannot be found or partitioned.</exception>
    public static async Task<(OwnClientDataSource Data, string Sha256)> LoadAsync(FedActorsSettings settings, IReadOnlyList<int> clients, string name,
        Action<string>? log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clients);
        var own = new Dictionary<int, ClientData>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (settings.Data.Dataset == "synthetic")
        {
            var synthetic = DatasetLoader.Synthetic(settings.Data);
            foreach (var id in clients)
            {
                var train = SyntheticFedProx.GenerateTrain(synthetic, settings.Run.Seed, id);
                own[id] = new ClientData(train, Enumerable.Range(0, train.Count).ToArray());
                Hash(hash, train);
            }
            return (Poisoned(settings, new OwnClientDataSource(settings.Population.Clients, own), () => DatasetLoader.SyntheticTest(settings)),
                Convert.ToHexStringLower(hash.GetHashAndReset()));
        }

        var (pooled, _) = await DatasetLoader.LoadPooledAsync(settings, log, ct);
        var (data, ranges) = Slice(pooled, ClientPartitioning.Create(settings, pooled), clients, name);
        var all = Enumerable.Range(0, data.Count).ToArray();
        foreach (var (id, range) in ranges) own[id] = new ClientData(data, all.AsMemory(range.Start, range.Count));
        Hash(hash, data);
        var noisy = PopulationLoader.WithFeatureNoise(settings, new OwnClientDataSource(settings.Population.Clients, own));
        var skewed = new OwnClientDataSource(settings.Population.Clients, own.Keys.ToDictionary(id => id, noisy.Get));
        return (Poisoned(settings, skewed, () => pooled), Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    // The same poisoning a one-process run applies (PopulationLoader), on this silo's clients; the backdoor's trigger takes
    // its brightness from the whole training set, so it is the one-process run's trigger.
    private static OwnClientDataSource Poisoned(FedActorsSettings settings, OwnClientDataSource own, Func<LabeledDataset> pooled)
    {
        if (!settings.Run.Attack.PoisonsData) return own;
        IClientDataSource poisoned;
        try
        {
            poisoned = settings.Run.Attack.PoisonData(own, pooled());
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message);
        }
        return new OwnClientDataSource(own.ClientCount, own.ClientIds.ToDictionary(id => id, poisoned.Get));
    }

    /// <summary>Copies the samples of <paramref name="clients"/> out of <paramref name="pooled"/>, one client after another.</summary>
    private static (LabeledDataset Data, Dictionary<int, (int Start, int Count)> Ranges) Slice(LabeledDataset pooled, Partition partition,
        IReadOnlyList<int> clients, string name)
    {
        int total = clients.Sum(partition.SampleCount);
        int f = pooled.FeatureSize;
        var features = new float[(long)total * f];
        var labels = new int[total];
        var ranges = new Dictionary<int, (int Start, int Count)>();
        int n = 0;
        foreach (var id in clients)
        {
            int start = n;
            foreach (var i in partition.Indices(id))
            {
                pooled.Sample(i).CopyTo(features.AsSpan(n * f, f));
                labels[n++] = pooled.Labels[i];
            }
            ranges[id] = (start, n - start);
        }
        // The caller drops the pooled set: from then on the process holds its own samples only.
        return (new LabeledDataset($"{pooled.Name}/{name}", features, labels, pooled.SampleShape, pooled.NumClasses), ranges);
    }

    private static void Hash(IncrementalHash hash, LabeledDataset data)
    {
        // Both arrays are little-endian in memory on every platform .NET runs this on.
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Features.AsSpan()));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Labels.AsSpan()));
    }
}
