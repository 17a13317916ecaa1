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
    public void WeightedAverage_TryAccumulateFinite_must_write_the_weighted_sum_to_the_destination()
    {
        float[] acc = [1, 2, 3];
        var destination = new float[3];

        bool finite = WeightedAverage.TryAccumulateFinite(acc, [2, -2, 0.5f], 0.5f, destination);

        Assert.True(finite);
        Assert.Equal([2f, 1f, 3.25f], destination); // [1 + 1, 2 − 1, 3 + 0.25]
        Assert.Equal([1f, 2f, 3f], acc); // the accumulator is only read
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(16, 15)]
    [InlineData(17, 16)] // in the scalar tail after one 16-lane vector
    [InlineData(40, 3)] // in the vector part
    [InlineData(1000, 999)]
    public void WeightedAverage_TryAccumulateFinite_must_find_NaN_and_infinity_anywhere(int length, int position)
    {
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var delta = new float[length];
            delta[position] = bad;

            Assert.False(WeightedAverage.TryAccumulateFinite(new float[length], delta, 1f, new float[length]));
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(17, 16)] // in the scalar tail after one 16-lane vector
    [InlineData(40, 3)] // in the vector part
    [InlineData(1000, 999)]
    public void WeightedAverage_TryAccumulateFinite_must_refuse_a_finite_update_that_overflows_the_sum(int length, int position)
    {
        var acc = new float[length];
        var delta = new float[length];
        acc[position] = float.MaxValue;
        delta[position] = float.MaxValue;

        Assert.False(WeightedAverage.TryAccumulateFinite(acc, delta, 0.5f, new float[length]));
        Assert.True(WeightedAverage.TryAccumulateFinite(acc, delta, 0f, new float[length]));
    }

    [Fact]
    public void WeightedAverage_TryAccumulateFinite_must_accept_large_finite_values_and_match_Accumulate_bit_for_bit()
    {
        // 1003 values: vectors of every width plus a scalar tail; float.MaxValue·w and its sum stay finite (w < 1).
        var random = new Random(7);
        var delta = Enumerable.Range(0, 1003).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        delta[500] = float.MaxValue;
        var acc = Enumerable.Range(0, 1003).Select(_ => (float)random.NextDouble()).ToArray();
        var expected = (float[])acc.Clone();
        var destination = new float[acc.Length];

        WeightedAverage.Accumulate(expected, delta, 0.37f);
        bool finite = WeightedAverage.TryAccumulateFinite(acc, delta, 0.37f, destination);

        Assert.True(finite);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), destination.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void WeightedAverage_ScaleAndClear_must_scale_into_the_destination_and_zero_the_source()
    {
        var values = Enumerable.Range(1, 37).Select(i => (float)i).ToArray(); // vector part and scalar tail
        var scaled = new float[37];

        WeightedAverage.ScaleAndClear(values, 0.5f, scaled);

        Assert.Equal(Enumerable.Range(1, 37).Select(i => i * 0.5f), scaled);
        Assert.All(values, v => Assert.Equal(0f, v));
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
