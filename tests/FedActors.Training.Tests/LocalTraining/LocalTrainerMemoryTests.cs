using FedActors.Training.LocalTraining;
using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.Tests.LocalTraining;

/// <summary>
/// Process-wide memory measurements: they run alone, after the parallel tests, because any other test
/// allocating at the same time (a 188 MB Fashion-MNIST load, say) shows up in the same RSS.
/// </summary>
[CollectionDefinition(nameof(NativeMemory), DisableParallelization = true)]
public sealed class NativeMemory;

[Collection(nameof(NativeMemory))]
public class LocalTrainerMemoryTests
{
    [Fact]
    public void Native_memory_must_stay_flat_over_10000_local_trainings()
    {
        var data = TestData.Blobs(40, new[] { 20 }, 4, seed: 6);
        using var replica = ModelReplica.For("logreg", data, batchCapacity: 20);
        var start = replica.ReadWeights();
        var delta = new float[start.Length];
        var options = new LocalTrainingOptions { BatchSize = 20, LearningRate = 0.1, Momentum = 0.9, ProximalMu = 0.01 };
        var clients = Enumerable.Range(0, 10).Select(c => Enumerable.Range(c * 4, 4).Concat(Enumerable.Range(0, 16)).ToArray()).ToArray();
        void Run(int count)
        {
            for (int i = 0; i < count; i++)
                LocalTrainer.Train(replica, start, data, clients[i % clients.Length], options, DeterministicRandom.For(1, (ulong)i, 0), delta);
        }
        Run(1000); // warm up allocators and libtorch caches
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = ResidentBytes();
        Run(10_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long grown = ResidentBytes() - before;
        Assert.True(grown < 16 << 20, $"resident memory grew by {grown / 1024} KiB over 10,000 trainings");
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // /proc/self/statm: size resident shared ... in pages
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1]) * Environment.SystemPageSize;
    }
}
