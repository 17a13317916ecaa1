using FedActors.Training.Partitioning;

namespace FedActors.Training.Tests.Partitioning;

public class PartitionerFactoryTests
{
    [Fact]
    public void KindsMapToTheirPartitionersWithParameters()
    {
        Assert.IsType<IidPartitioner>(PartitionerFactory.Create("iid", 0.5, 2, 10));
        Assert.Equal(new DirichletPartitioner(0.3, 7), PartitionerFactory.Create("Dirichlet", 0.3, 2, 7));
        Assert.Equal(new ShardPartitioner(3), PartitionerFactory.Create("shards", 0.5, 3, 10));
        Assert.Equal(new QuantitySkewPartitioner(2, 4), PartitionerFactory.Create(" quantity ", 2, 3, 4));
    }

    [Fact]
    public void UnknownKindListsTheValidOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => PartitionerFactory.Create("pathological", 0.5, 2, 10));
        Assert.Contains("unknown partition kind 'pathological'; valid values are 'iid', 'dirichlet', 'shards', 'quantity'", error.Message);
    }

    [Fact]
    public void InvalidParametersAreRejectedNamingTheSetting()
    {
        Assert.Contains("alpha must be a positive finite number, got 0", Assert.Throws<ArgumentOutOfRangeException>(() => PartitionerFactory.Create("dirichlet", 0, 2, 10)).Message);
        Assert.Contains("min-samples must be ≥ 0, got -1", Assert.Throws<ArgumentOutOfRangeException>(() => PartitionerFactory.Create("quantity", 1, 2, -1)).Message);
        Assert.Contains("shards-per-client must be ≥ 1, got 0", Assert.Throws<ArgumentOutOfRangeException>(() => PartitionerFactory.Create("shards", 1, 0, 10)).Message);
        // `with` validates too, so no partitioner holds an invalid value.
        Assert.Throws<ArgumentOutOfRangeException>(() => new DirichletPartitioner(1, 1) with { Alpha = double.NaN });
        // Parameters a kind does not use are not checked.
        Assert.IsType<IidPartitioner>(PartitionerFactory.Create("iid", -1, -1, -1));
    }
}
