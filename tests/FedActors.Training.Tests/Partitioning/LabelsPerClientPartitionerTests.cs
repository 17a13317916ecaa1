using FedActors.Training.Partitioning;

namespace FedActors.Training.Tests.Partitioning;

/// <summary>NIID-Bench's #C=k: exactly k labels per client, each label's samples split evenly among its holders.</summary>
public class LabelsPerClientPartitionerTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 10)]
    [InlineData(3, 10)]
    [InlineData(2, 100)]
    [InlineData(9, 37)]
    public void Every_client_holds_exactly_k_labels_and_each_label_is_split_evenly_among_its_holders(int k, int clients)
    {
        var labels = PartitionTestData.BalancedLabels();
        var partition = new LabelsPerClientPartitioner(k).Split(labels, 10, clients, seed: 5);

        var holders = new List<int>[10];
        for (int label = 0; label < 10; label++) holders[label] = [];
        for (int c = 0; c < clients; c++)
        {
            var counts = new int[10];
            foreach (int i in partition.Indices(c)) counts[labels[i]]++;
            var held = Enumerable.Range(0, 10).Where(l => counts[l] > 0).ToArray();
            Assert.Equal(k, held.Length);
            Assert.Contains(c % 10, held);
            foreach (int label in held) holders[label].Add(counts[label]);
        }
        // Every label has a holder (clients ≥ classes), all of its 6,000 samples are dealt, in parts differing by at most one.
        for (int label = 0; label < 10; label++)
        {
            Assert.NotEmpty(holders[label]);
            Assert.Equal(6000, holders[label].Sum());
            Assert.InRange(holders[label].Max() - holders[label].Min(), 0, 1);
            Assert.Equal(6000 / holders[label].Count, holders[label].Min());
        }
        PartitionTestData.AssertDisjointCover(partition, labels.Length);
    }

    [Fact]
    public void One_label_per_client_over_ten_clients_gives_each_client_one_whole_class()
    {
        var labels = PartitionTestData.BalancedLabels();
        var partition = new LabelsPerClientPartitioner(1).Split(labels, 10, 10, seed: 1);
        for (int c = 0; c < 10; c++)
        {
            Assert.Equal(6000, partition.SampleCount(c));
            Assert.All(partition.Indices(c).ToArray(), i => Assert.Equal(c, labels[i]));
        }
    }

    [Fact]
    public void With_fewer_clients_than_classes_unheld_labels_go_unused()
    {
        var labels = PartitionTestData.BalancedLabels(perClass: 10);
        var partition = new LabelsPerClientPartitioner(1).Split(labels, 10, 3, seed: 1);
        Assert.Equal(30, partition.TotalSamples);
        for (int c = 0; c < 3; c++)
            Assert.All(partition.Indices(c).ToArray(), i => Assert.Equal(c, labels[i]));
    }

    [Fact]
    public void More_labels_than_classes_or_more_holders_than_samples_are_clear_errors()
    {
        Assert.Contains("only 10 classes", Assert.Throws<ArgumentException>(
            () => new LabelsPerClientPartitioner(11).Split(PartitionTestData.BalancedLabels(perClass: 10), 10, 10, 1)).Message);
        Assert.Contains("use fewer clients", Assert.Throws<ArgumentException>(
            () => new LabelsPerClientPartitioner(1).Split(PartitionTestData.BalancedLabels(perClass: 2), 10, 30, 1)).Message);
        Assert.Contains("must be ≥ 1, got 0", Assert.Throws<ArgumentOutOfRangeException>(() => new LabelsPerClientPartitioner(0)).Message);
    }

    [Fact]
    public void The_factory_builds_it_by_name()
    {
        Assert.Equal(new LabelsPerClientPartitioner(3), PartitionerFactory.Create("labels-per-client", 0.5, 2, 10, labelsPerClient: 3));
    }
}
