using FedActors.Training.Partitioning;

namespace FedActors.Training.Tests.Partitioning;

public class PartitionTests
{
    [Fact]
    public void FromOwnersGroupsSamplesByClientInAscendingOrder()
    {
        var partition = Partition.FromOwners([2, 0, 2, -1, 0, 2], clientCount: 4);

        Assert.Equal(4, partition.ClientCount);
        Assert.Equal(5, partition.TotalSamples);
        Assert.Equal([1, 4], partition.Indices(0).ToArray());
        Assert.Empty(partition.Indices(1).ToArray());
        Assert.Equal([0, 2, 5], partition.IndicesMemory(2).ToArray());
        Assert.Equal(0, partition.SampleCount(3));
        Assert.Equal(3, partition.SampleCount(2));
    }

    [Fact]
    public void FromCsrSortsEachClientAndEqualsTheSameAssignmentFromOwners()
    {
        var csr = Partition.FromCsr([0, 2, 2, 5], [4, 1, 5, 0, 2]);
        var owners = Partition.FromOwners([2, 0, 2, -1, 0, 2], clientCount: 3);

        Assert.True(csr.SameAssignmentAs(owners));
        Assert.False(csr.SameAssignmentAs(Partition.FromOwners([2, 0, 2, -1, 0, 1], clientCount: 3)));
    }

    [Fact]
    public void InvalidInputIsRejectedWithTheReason()
    {
        Assert.Contains("outside [0, 2)", Assert.Throws<ArgumentException>(() => Partition.FromOwners([0, 2], 2)).Message);
        Assert.Contains("more than one client", Assert.Throws<ArgumentException>(() => Partition.FromCsr([0, 1, 2], [3, 3])).Message);
        Assert.Contains("must not decrease", Assert.Throws<ArgumentException>(() => Partition.FromCsr([0, 2, 1, 2], [0, 1])).Message);
        Assert.Contains("end at the number of indices", Assert.Throws<ArgumentException>(() => Partition.FromCsr([0, 1], [0, 1])).Message);
        var partition = Partition.FromOwners([0], 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => partition.SampleCount(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => partition.SampleCount(-1));
    }

    [Fact]
    public void AMillionClientsCostOnlyTheirIndicesAndOffsets()
    {
        // One sample each: the assignment must not allocate per-client objects.
        const int clients = 1_000_000;
        var owners = new int[clients];
        for (int i = 0; i < clients; i++)
            owners[i] = clients - 1 - i;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var partition = Partition.FromOwners(owners, clients);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(clients - 1, partition.Indices(0)[0]);
        // indices + offsets + a scratch copy of offsets: about 12 bytes per client.
        Assert.True(allocated < 14L * clients, $"allocated {allocated} bytes");
    }
}
