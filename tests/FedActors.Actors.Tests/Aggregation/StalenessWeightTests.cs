using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Tests.Aggregation;

public sealed class StalenessWeightTests
{
    private const int Precision = 4;

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(1, 0.7071)] // 2^−0.5
    [InlineData(3, 0.5)]    // 4^−0.5
    public void PolynomialStaleness_with_a_half_must_match_the_FedAsync_table(int staleness, double expected) =>
        Assert.Equal(expected, new PolynomialStaleness(0.5).Weight(staleness), Precision);

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(4, 1.0)]          // τ ≤ b
    [InlineData(5, 1.0 / 11.0)]   // 1 / (10·1 + 1)
    [InlineData(6, 1.0 / 21.0)]   // 1 / (10·2 + 1)
    public void HingeStaleness_with_a_10_b_4_must_match_the_FedAsync_table(int staleness, double expected) =>
        Assert.Equal(expected, new HingeStaleness(10, 4).Weight(staleness), 12);

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(3, 0.5)]          // 1/√4
    [InlineData(8, 1.0 / 3.0)]    // 1/√9
    public void InverseSqrtStaleness_must_be_one_over_root_of_one_plus_tau(int staleness, double expected) =>
        Assert.Equal(expected, new InverseSqrtStaleness().Weight(staleness), 12);

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public void ConstantStaleness_must_always_be_one(int staleness) =>
        Assert.Equal(1.0, new ConstantStaleness().Weight(staleness));

    [Fact]
    public void Staleness_functions_must_reject_negative_staleness()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantStaleness().Weight(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolynomialStaleness(0.5).Weight(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HingeStaleness(10, 4).Weight(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InverseSqrtStaleness().Weight(-1));
    }

    [Fact]
    public void Staleness_functions_must_reject_invalid_parameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolynomialStaleness(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolynomialStaleness(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HingeStaleness(-1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HingeStaleness(10, -4));
    }

    [Fact]
    public void Staleness_functions_must_be_value_equal_records() =>
        Assert.Equal(new HingeStaleness(10, 4), new HingeStaleness(10, 4));

    [Fact]
    public void StalenessWeights_must_build_each_kind_by_name()
    {
        Assert.IsType<ConstantStaleness>(StalenessWeights.Create("constant", 0, 0));
        Assert.Equal(new PolynomialStaleness(0.5), StalenessWeights.Create("polynomial", 0.5, 0));
        Assert.Equal(new HingeStaleness(10, 4), StalenessWeights.Create("Hinge", 10, 4));
        Assert.IsType<InverseSqrtStaleness>(StalenessWeights.Create("inverse-sqrt", 0, 0));
    }

    [Fact]
    public void StalenessWeights_must_list_the_valid_kinds_for_an_unknown_one()
    {
        var error = Assert.Throws<ArgumentException>(() => StalenessWeights.Create("exponential", 1, 0));
        Assert.Contains("'exponential'", error.Message);
        Assert.Contains("'constant', 'polynomial', 'hinge', 'inverse-sqrt'", error.Message);
    }
}
