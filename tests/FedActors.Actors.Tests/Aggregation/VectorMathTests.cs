using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Tests.Aggregation;

public sealed class VectorMathTests
{
    [Fact]
    public void WeightedAverage_Accumulate_must_add_the_weighted_delta_in_place()
    {
        float[] acc = [1, 2, 3];

        WeightedAverage.Accumulate(acc, [2, -2, 0.5f], 0.5f);

        Assert.Equal([2f, 1f, 3.25f], acc); // [1 + 1, 2 − 1, 3 + 0.25]
    }

    [Fact]
    public void WeightedAverage_must_reject_vectors_of_different_lengths() =>
        Assert.Throws<ArgumentException>(() => WeightedAverage.Accumulate(new float[3], new float[2], 1f));

    [Fact]
    public void WeightedAverage_Scale_must_multiply_every_value()
    {
        float[] values = [1, -2, 4];
        var scaled = new float[3];

        WeightedAverage.Scale(values, 0.25f, scaled);
        WeightedAverage.Scale(values, 2f);

        Assert.Equal([0.25f, -0.5f, 1f], scaled);
        Assert.Equal([2f, -4f, 8f], values);
    }

    [Fact]
    public void Vectors_must_compute_norm_cosine_and_difference()
    {
        var delta = new float[2];

        Vectors.Difference([4, 1], [1, 5], delta);

        Assert.Equal([3f, -4f], delta);
        Assert.Equal(5f, Vectors.L2Norm(delta));
        Assert.Equal(0f, Vectors.CosineSimilarity([1, 0], [0, 3]), 6);
        Assert.Equal(-1f, Vectors.CosineSimilarity([1, 2], [-2, -4]), 6);
        Assert.Equal(0f, Vectors.CosineSimilarity([0, 0], [1, 1])); // zero vector: 0, not NaN
    }

    [Fact]
    public void Vectors_AllFinite_must_find_NaN_and_infinity_but_accept_large_values()
    {
        Assert.True(Vectors.AllFinite([float.MaxValue, -float.MaxValue])); // x·x overflows, values are finite
        Assert.False(Vectors.AllFinite([1, float.NaN]));
        Assert.False(Vectors.AllFinite([float.PositiveInfinity, 1]));
    }
}
