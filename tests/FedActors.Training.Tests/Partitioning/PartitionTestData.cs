using FedActors.Training.Partitioning;

namespace FedActors.Training.Tests.Partitioning;

/// <summary>Synthetic label vectors and checks shared by the partitioning tests.</summary>
internal static class PartitionTestData
{
    /// <summary>Fashion-MNIST-sized labels: <paramref name="classes"/> classes of <paramref name="perClass"/> samples, interleaved.</summary>
    public static int[] BalancedLabels(int classes = 10, int perClass = 6000)
    {
        var labels = new int[classes * perClass];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = i % classes;
        return labels;
    }

    /// <summary>Asserts that every sample index in [0, samples) is held by exactly one client.</summary>
    public static void AssertDisjointCover(Partition partition, int samples)
    {
        var seen = new bool[samples];
        long total = 0;
        for (int c = 0; c < partition.ClientCount; c++)
        {
            foreach (int i in partition.Indices(c))
            {
                Assert.InRange(i, 0, samples - 1);
                Assert.False(seen[i], $"sample {i} is held twice (again by client {c})");
                seen[i] = true;
                total++;
            }
        }
        Assert.Equal(samples, total);
        Assert.Equal(samples, partition.TotalSamples);
    }

    public static int[] Sizes(Partition partition) =>
        Enumerable.Range(0, partition.ClientCount).Select(partition.SampleCount).ToArray();
}
