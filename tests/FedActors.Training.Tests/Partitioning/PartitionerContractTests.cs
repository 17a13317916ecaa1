using System.Diagnostics;
using FedActors.Training.Partitioning;
using Xunit.Abstractions;

namespace FedActors.Training.Tests.Partitioning;

/// <summary>What every partitioner promises: a disjoint cover of all samples, reproducible from the seed.</summary>
public class PartitionerContractTests(ITestOutputHelper output)
{
    public static TheoryData<string> Kinds() => new(PartitionerFactory.Kinds);

    private static IPartitioner Create(string kind) => PartitionerFactory.Create(kind, alpha: 0.5, shardsPerClient: 2, minSamples: 10);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EverySampleGoesToExactlyOneClient(string kind)
    {
        var labels = PartitionTestData.BalancedLabels();
        var partition = Create(kind).Split(labels, 10, 100, seed: 42);

        Assert.Equal(100, partition.ClientCount);
        PartitionTestData.AssertDisjointCover(partition, labels.Length);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SameSeedGivesSamePartitionAndAnotherSeedAnother(string kind)
    {
        var labels = PartitionTestData.BalancedLabels();
        var a = Create(kind).Split(labels, 10, 100, seed: 7);
        var b = Create(kind).Split(labels, 10, 100, seed: 7);
        var c = Create(kind).Split(labels, 10, 100, seed: 8);

        Assert.True(a.SameAssignmentAs(b));
        Assert.False(a.SameAssignmentAs(c));
    }

    [Theory]
    [InlineData("dirichlet", 0.1)]
    [InlineData("dirichlet", 0.5)]
    [InlineData("quantity", 0.1)]
    [InlineData("quantity", 0.5)]
    public void MinSamplesHolds(string kind, double alpha)
    {
        var labels = PartitionTestData.BalancedLabels();
        for (ulong seed = 0; seed < 5; seed++)
        {
            var partition = PartitionerFactory.Create(kind, alpha, 2, minSamples: 10).Split(labels, 10, 100, seed);
            Assert.True(PartitionTestData.Sizes(partition).Min() >= 10, $"seed {seed}");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void HundredClientsTakeMilliseconds(string kind)
    {
        var labels = PartitionTestData.BalancedLabels();
        var partitioner = Create(kind);
        partitioner.Split(labels, 10, 100, seed: 1); // JIT warm-up
        var watch = Stopwatch.StartNew();
        partitioner.Split(labels, 10, 100, seed: 2);
        watch.Stop();

        output.WriteLine($"{kind}: 60,000 samples over 100 clients in {watch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.True(watch.ElapsedMilliseconds < 500, $"{kind} took {watch.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData("iid", 0)]
    [InlineData("shards", 0)]
    [InlineData("dirichlet", 0)]
    [InlineData("quantity", 1)]
    public void TenThousandClientsWork(string kind, int minSamples)
    {
        var labels = PartitionTestData.BalancedLabels();
        var watch = Stopwatch.StartNew();
        var partition = PartitionerFactory.Create(kind, 0.5, 2, minSamples).Split(labels, 10, 10_000, seed: 3);
        watch.Stop();

        output.WriteLine($"{kind}: 60,000 samples over 10,000 clients in {watch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal(10_000, partition.ClientCount);
        PartitionTestData.AssertDisjointCover(partition, labels.Length);
        Assert.True(PartitionTestData.Sizes(partition).Min() >= minSamples);
        Assert.True(watch.ElapsedMilliseconds < 5000, $"{kind} took {watch.ElapsedMilliseconds} ms");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BadArgumentsAreRejectedClearly(string kind)
    {
        var partitioner = Create(kind);
        Assert.Contains("at least one client", Assert.Throws<ArgumentOutOfRangeException>(() => partitioner.Split([0, 1], 2, 0, 1)).Message);
        Assert.Contains("label 5 of sample 1", Assert.Throws<ArgumentException>(() => partitioner.Split([0, 5], 2, 1, 1)).Message);
    }

    [Theory]
    [InlineData("iid", "fewer clients")]
    [InlineData("shards", "lower shards-per-client")]
    [InlineData("dirichlet", "use at most 1000 clients")]
    [InlineData("quantity", "use at most 1000 clients")]
    public void TooManyClientsForTheDataIsAClearError(string kind, string advice)
    {
        var labels = PartitionTestData.BalancedLabels(perClass: 100); // 1,000 samples
        var error = Assert.Throws<ArgumentException>(() => Create(kind).Split(labels, 10, 1_001, seed: 1));
        output.WriteLine(error.Message);
        Assert.Contains(kind, error.Message);
        Assert.Contains(advice, error.Message);
    }
}
