using FedActors.Actors.SecureAggregation;
using FedActors.Training;

namespace FedActors.Actors.Tests.SecureAggregation;

public class StochasticQuantizerTests
{
    private sealed class FixedUniform(params double[] draws) : IUniformSource
    {
        private int _next;
        public double NextDouble() => draws[_next++ % draws.Length];
    }

    [Fact]
    public void Values_are_clipped_scaled_onto_the_grid_and_rounded_up_with_their_fraction()
    {
        // c = 1, 5 levels: step 0.5, grid −1, −0.5, 0, 0.5, 1 ↔ words 0 … 4.
        var q = new StochasticQuantizer(1.0, 5);
        Assert.Equal(0.5, q.Step);
        var words = new uint[6];
        // 0.3 sits at 2.6: up when the draw is below 0.6. −2 clips to 0, 7 to 4; −0.5 is on the grid (word 1).
        q.Quantize([0.3f, 0.3f, -2f, 7f, -0.5f, 0.99f], words, new FixedUniform(0.59, 0.61, 0.5, 0.5, 0.0, 0.0));
        Assert.Equal([3u, 2u, 0u, 4u, 1u, 4u], words);
    }

    [Fact]
    public void A_decoded_sum_is_within_n_steps_of_the_plain_sum_and_unbiased()
    {
        var q = new StochasticQuantizer(0.5, 1u << 16);
        var random = DeterministicRandom.For(1, 2, 3);
        const int n = 50, d = 2000;
        var plain = new double[d];
        var summed = new uint[d];
        var words = new uint[d];
        for (int k = 0; k < n; k++)
        {
            var x = Enumerable.Range(0, d).Select(_ => (float)(random.NextDouble() - 0.5) * 0.8f).ToArray();
            for (int i = 0; i < d; i++) plain[i] += x[i];
            q.Quantize(x, words, random);
            for (int i = 0; i < d; i++) summed[i] += words[i];
        }
        var decoded = new float[d];
        q.DecodeSum(summed, n, decoded);
        double worst = Enumerable.Range(0, d).Max(i => Math.Abs(decoded[i] - plain[i]));
        Assert.True(worst <= n * q.Step, $"worst error {worst} above n · step {n * q.Step}");
        // Unbiased: the mean error over 2,000 coordinates is far below one step.
        Assert.InRange(Enumerable.Range(0, d).Average(i => decoded[i] - plain[i]), -0.1 * q.Step, 0.1 * q.Step);
    }

    [Fact]
    public void The_summand_bound_keeps_a_sum_below_two_to_the_b_and_bad_input_is_refused()
    {
        var q = new StochasticQuantizer(1.0, 1u << 16);
        Assert.Equal(65_537L, q.MaxSummands(32)); // (2^32 − 1) / (2^16 − 1) = 65,537
        Assert.Equal(1L, q.MaxSummands(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => q.MaxSummands(33));
        Assert.Contains("coordinate 1 is NaN", Assert.Throws<ArgumentException>(() => q.Quantize([0f, float.NaN], new uint[2], new FixedUniform(0.5))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StochasticQuantizer(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StochasticQuantizer(1, 1));
    }
}
