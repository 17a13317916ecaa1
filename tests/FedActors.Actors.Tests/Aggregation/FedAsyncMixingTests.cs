using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Tests.Aggregation;

public sealed class FedAsyncMixingTests
{
    [Fact]
    public void FedAsyncMixing_must_mix_current_weights_with_base_plus_delta()
    {
        float[] current = [1, 2];
        float[] baseWeights = [0, 1];
        float[] delta = [2, 1];
        var next = new float[2];

        FedAsyncMixing.Apply(current, baseWeights, delta, alphaT: 0.25, next);

        // x_new = base + Δ = [2, 2]; x_t = 0.75·[1, 2] + 0.25·[2, 2] = [1.25, 2]
        Assert.Equal([1.25f, 2f], next);
    }

    [Fact]
    public void FedAsyncMixing_may_write_over_the_current_weights()
    {
        float[] current = [1, 2];

        FedAsyncMixing.Apply(current, [0, 1], [2, 1], 0.25, current);

        Assert.Equal([1.25f, 2f], current);
    }

    [Fact]
    public void FedAsyncMixing_alpha_must_scale_by_the_staleness_function()
    {
        // α = 0.6, hinge a = 10, b = 4: α_5 = 0.6 / 11, α_3 = 0.6
        Assert.Equal(0.6 / 11, FedAsyncMixing.Alpha(0.6, new HingeStaleness(10, 4), 5), 12);
        Assert.Equal(0.6, FedAsyncMixing.Alpha(0.6, new HingeStaleness(10, 4), 3), 12);
    }

    [Fact]
    public void FedAsyncMixing_must_reject_alpha_outside_the_unit_interval_and_overlapping_outputs()
    {
        float[] v = [1, 1];

        Assert.Throws<ArgumentOutOfRangeException>(() => FedAsyncMixing.Apply(v, [0, 0], [0, 0], 1.5, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => FedAsyncMixing.Alpha(0, new ConstantStaleness(), 0));
        Assert.Throws<ArgumentException>(() => FedAsyncMixing.Apply([0, 0], v, [0, 0], 0.5, v));
    }
}
