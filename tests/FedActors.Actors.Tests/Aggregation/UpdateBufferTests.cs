using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Tests.Aggregation;

public sealed class UpdateBufferTests
{
    // Shared example: s(τ) = 1/√(1+τ) gives s(0) = 1, s(3) = 1/2, s(8) = 1/3.
    private static readonly (float[] Delta, int Samples, int Staleness)[] Updates =
    [
        ([1, 2], 10, 0),
        ([3, 0], 20, 3),
        ([0, 4], 30, 8),
    ];

    private static UpdateBuffer Buffer(
        UpdateWeighting weighting,
        int capacity = 3,
        StalenessNormalization normalization = StalenessNormalization.None,
        int dimension = 2) =>
        new(dimension, new UpdateBufferOptions(capacity, weighting, new InverseSqrtStaleness(), normalization));

    private static void AddAll(UpdateBuffer buffer)
    {
        foreach (var (delta, samples, staleness) in Updates)
            Assert.Equal(BufferAdmission.Accepted, buffer.TryAdd(delta, samples, staleness));
    }

    [Fact]
    public void UpdateBuffer_must_be_full_at_K_and_flush_only_what_it_holds()
    {
        var buffer = Buffer(UpdateWeighting.Uniform);
        var pseudoGradient = new float[2];

        bool empty = buffer.TryFlush(pseudoGradient);
        buffer.TryAdd(Updates[0].Delta, 10, 0);
        buffer.TryAdd(Updates[1].Delta, 20, 3);
        bool fullAtTwo = buffer.IsFull;
        buffer.TryAdd(Updates[2].Delta, 30, 8);
        bool full = buffer.IsFull;
        bool flushed = buffer.TryFlush(pseudoGradient);

        Assert.False(empty);
        Assert.False(fullAtTwo);
        Assert.True(full);
        Assert.True(flushed);
        Assert.Equal(0, buffer.Count);
        Assert.False(buffer.IsFull);
    }

    [Fact]
    public void UpdateBuffer_must_flush_fewer_than_K_updates_over_their_own_weights_when_asked()
    {
        // A synchronous round that closes at its deadline flushes what it has.
        var buffer = Buffer(UpdateWeighting.SampleWeighted, capacity: 5);
        var pseudoGradient = new float[2];

        buffer.TryAdd([1, 2], 10, 0);
        buffer.TryAdd([4, 0], 30, 0);
        bool flushed = buffer.TryFlush(pseudoGradient);

        // (10·[1,2] + 30·[4,0]) / 40 = [3.25, 0.5]
        Assert.True(flushed);
        Assert.Equal([3.25f, 0.5f], pseudoGradient);
    }

    [Fact]
    public void UpdateBuffer_must_weight_an_update_by_its_scale()
    {
        var buffer = Buffer(UpdateWeighting.Uniform, capacity: 2);
        var pseudoGradient = new float[2];

        buffer.TryAdd([2, 2], 1, 0, scale: 0.5f);
        buffer.TryAdd([4, 0], 1, 0);
        buffer.TryFlush(pseudoGradient);

        // (½·[2,2] + 1·[4,0]) / 2: a scale shortens the update, not the normalizer.
        Assert.Equal([2.5f, 0.5f], pseudoGradient);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.TryAdd([1, 1], 1, 0, scale: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.TryAdd([1, 1], 1, 0, scale: -1f));
    }

    [Fact]
    public void UpdateBuffer_uniform_must_average_staleness_scaled_deltas_over_K_as_in_the_FedBuff_paper()
    {
        var buffer = Buffer(UpdateWeighting.Uniform);
        var pseudoGradient = new float[2];

        AddAll(buffer);
        buffer.TryFlush(pseudoGradient);

        // Δ̄ = (1/3)(1·[1,2] + ½·[3,0] + ⅓·[0,4]) = (1/3)[2.5, 3.3333] = [0.83333, 1.11111]
        Assert.Equal(2.5f / 3f, pseudoGradient[0], 5);
        Assert.Equal((2f + 4f / 3f) / 3f, pseudoGradient[1], 5);
    }

    [Fact]
    public void UpdateBuffer_sample_weighted_must_normalize_by_total_samples_times_staleness_factor()
    {
        var buffer = Buffer(UpdateWeighting.SampleWeighted);
        var pseudoGradient = new float[2];

        AddAll(buffer);
        buffer.TryFlush(pseudoGradient);

        // Σ s·n·Δ = 10·1·[1,2] + 20·½·[3,0] + 30·⅓·[0,4] = [40, 60]; Σ n = 60 → [0.66667, 1]
        Assert.Equal(40f / 60f, pseudoGradient[0], 5);
        Assert.Equal(1f, pseudoGradient[1], 5);
    }

    [Fact]
    public void UpdateBuffer_weighted_mean_must_renormalize_by_the_staleness_scaled_weights_as_FLSim_does()
    {
        var buffer = Buffer(UpdateWeighting.SampleWeighted, normalization: StalenessNormalization.WeightedMean);
        var pseudoGradient = new float[2];

        AddAll(buffer);
        buffer.TryFlush(pseudoGradient);

        // Σ s·n = 10 + 10 + 10 = 30 → [40, 60] / 30 = [1.33333, 2]
        Assert.Equal(40f / 30f, pseudoGradient[0], 5);
        Assert.Equal(2f, pseudoGradient[1], 5);
    }

    [Fact]
    public void UpdateBuffer_must_hand_out_each_update_it_holds_with_its_weights()
    {
        var buffer = Buffer(UpdateWeighting.SampleWeighted);

        AddAll(buffer);
        var held = buffer.Updates.ToArray();

        Assert.Equal(3, held.Length);
        Assert.Equal(30.0, buffer.WeightSum, 5);   // 10·1 + 20·½ + 30·⅓
        Assert.Equal(60.0, buffer.BaseWeightSum);  // Σ n
        Assert.Same(Updates[1].Delta, held[1].Delta); // referenced, not copied
        Assert.Equal([0, 3, 8], held.Select(u => u.Staleness));
        Assert.Equal([10, 20, 30], held.Select(u => u.Samples));
        Assert.Equal(new[] { 10f, 10f, 10f }, held.Select(u => u.Weight).ToArray(), new FloatTolerance(1e-5f));
        buffer.Clear();
        Assert.Equal(0, buffer.Updates.Length);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }

    [Fact]
    public void UpdateBuffer_must_reject_an_update_when_full()
    {
        var buffer = Buffer(UpdateWeighting.Uniform, capacity: 1);

        buffer.TryAdd([1, 1], 1, 0);
        var second = buffer.TryAdd([1, 1], 1, 0);

        Assert.Equal(BufferAdmission.BufferFull, second);
        Assert.Equal(1, buffer.Count);
    }

    [Fact]
    public void UpdateBuffer_must_reject_zero_sample_updates_when_sample_weighted_and_non_finite_deltas()
    {
        var sampleWeighted = Buffer(UpdateWeighting.SampleWeighted);
        var uniform = Buffer(UpdateWeighting.Uniform);

        Assert.Equal(BufferAdmission.NoSamples, sampleWeighted.TryAdd([1, 1], 0, 0));
        Assert.Equal(BufferAdmission.Accepted, uniform.TryAdd([1, 1], 0, 0));
        Assert.Equal(BufferAdmission.NonFinite, uniform.TryAdd([float.NaN, 1], 5, 0));
        Assert.Equal(1, uniform.Count);
    }

    [Fact]
    public void UpdateBuffer_must_leave_its_sum_untouched_when_a_long_update_is_rejected_as_non_finite()
    {
        var buffer = new UpdateBuffer(100, new UpdateBufferOptions(3, UpdateWeighting.Uniform, new ConstantStaleness()));
        var ones = Enumerable.Repeat(1f, 100).ToArray();
        var poisoned = Enumerable.Repeat(5f, 100).ToArray();
        poisoned[90] = float.PositiveInfinity; // after most values would already have been summed

        buffer.TryAdd(ones, 1, 0);
        var rejected = buffer.TryAdd(poisoned, 1, 0);
        buffer.TryAdd(ones, 1, 0);
        buffer.TryAdd(ones, 1, 0);
        var pseudoGradient = new float[100];
        buffer.TryFlush(pseudoGradient);

        Assert.Equal(BufferAdmission.NonFinite, rejected);
        Assert.All(pseudoGradient, v => Assert.Equal(1f, v)); // (1 + 1 + 1) / 3: nothing of the rejected update
    }

    [Fact]
    public void UpdateBuffer_must_undo_a_rejected_update_bit_for_bit_even_where_sums_round()
    {
        // Random magnitudes over six orders, odd lengths (vector body and scalar tail), staleness weights that
        // are not powers of two: every sum rounds, so only a rebuild in the original order gives the same bits.
        const int dimension = 1037;
        var rng = new Random(7);
        float[] Update() => Enumerable.Range(0, dimension).Select(_ => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 3)))).ToArray();
        var updates = Enumerable.Range(0, 4).Select(_ => Update()).ToArray();
        var poisoned = Update();
        poisoned[dimension - 3] = float.NaN; // found after the whole vector part was summed
        UpdateBuffer New() => new(dimension, new UpdateBufferOptions(4, UpdateWeighting.SampleWeighted, new PolynomialStaleness(0.5)));
        var clean = New();
        var withRejection = New();
        foreach (var b in new[] { clean, withRejection })
        {
            b.TryAdd(updates[0], 13, 1);
            b.TryAdd(updates[1], 7, 3);
        }
        clean.TryAdd(updates[2], 11, 2);
        withRejection.TryAdd(updates[2], 11, 2);

        var rejected = withRejection.TryAdd(poisoned, 5, 0);
        clean.TryAdd(updates[3], 3, 5);
        withRejection.TryAdd(updates[3], 3, 5);
        float[] expected = new float[dimension], actual = new float[dimension];
        clean.TryFlush(expected);
        withRejection.TryFlush(actual);

        Assert.Equal(BufferAdmission.NonFinite, rejected);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void UpdateBuffer_must_forget_the_updates_of_a_flushed_step_when_it_undoes_a_rejection()
    {
        var buffer = new UpdateBuffer(2, new UpdateBufferOptions(2, UpdateWeighting.Uniform, new ConstantStaleness()));
        var pseudoGradient = new float[2];
        buffer.TryAdd([100, 100], 1, 0);
        buffer.TryAdd([100, 100], 1, 0);
        buffer.TryFlush(pseudoGradient);

        buffer.TryAdd([1, 3], 1, 0);
        var rejected = buffer.TryAdd([float.PositiveInfinity, 0], 1, 0);
        buffer.TryAdd([3, 1], 1, 0);
        buffer.TryFlush(pseudoGradient);

        Assert.Equal(BufferAdmission.NonFinite, rejected);
        Assert.Equal([2f, 2f], pseudoGradient); // (1 + 3) / 2, (3 + 1) / 2: nothing of the previous step
    }

    [Fact]
    public void UpdateBuffer_must_throw_on_wrong_length_or_negative_arguments()
    {
        var buffer = Buffer(UpdateWeighting.Uniform);

        Assert.Throws<ArgumentException>(() => buffer.TryAdd(new float[3], 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.TryAdd(new float[2], -1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.TryAdd(new float[2], 1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new UpdateBufferOptions(0, UpdateWeighting.Uniform, new ConstantStaleness()));
    }

    [Fact]
    public void UpdateBuffer_must_start_afresh_after_a_flush()
    {
        var buffer = Buffer(UpdateWeighting.Uniform, capacity: 1);
        var pseudoGradient = new float[2];

        buffer.TryAdd([5, 5], 1, 0);
        buffer.TryFlush(pseudoGradient);
        buffer.TryAdd([1, -1], 1, 0);
        buffer.TryFlush(pseudoGradient);

        Assert.Equal([1f, -1f], pseudoGradient);
    }

    [Fact]
    public void UpdateWeightings_must_parse_config_names_and_list_valid_values()
    {
        Assert.Equal(UpdateWeighting.SampleWeighted, UpdateWeightings.Parse("sample-weighted"));
        Assert.Equal(UpdateWeighting.Uniform, UpdateWeightings.Parse("uniform"));
        Assert.Equal(StalenessNormalization.WeightedMean, UpdateWeightings.ParseNormalization("weighted-mean"));
        var error = Assert.Throws<ArgumentException>(() => UpdateWeightings.Parse("by-loss"));
        Assert.Contains("'uniform', 'sample-weighted'", error.Message);
    }
}
