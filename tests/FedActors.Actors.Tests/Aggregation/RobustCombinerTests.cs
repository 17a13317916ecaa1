using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Tests.Aggregation;

/// <summary>The robust combiners against results worked by hand on a few small updates.</summary>
public sealed class RobustCombinerTests
{
    private static BufferedUpdate[] Updates(params float[][] deltas) =>
        deltas.Select(d => new BufferedUpdate(d, 1f, 1, 10, 0)).ToArray();

    private static float[] Combine(IUpdateCombiner combiner, BufferedUpdate[] updates)
    {
        var result = new float[updates[0].Delta.Length];
        combiner.Combine(updates, result);
        return result;
    }

    [Fact(DisplayName = "Median of [1, 10], [2, 20], [100, −5] must be [2, 10]; with [3, 0] added, the mean of the middle two: [2.5, 5]")]
    public void Median_must_take_each_coordinates_middle()
    {
        Assert.Equal([2f, 10f], Combine(new CoordinateMedian(), Updates([1, 10], [2, 20], [100, -5])));
        Assert.Equal([2.5f, 5f], Combine(new CoordinateMedian(), Updates([1, 10], [2, 20], [100, -5], [3, 0])));
    }

    [Fact(DisplayName = "Trimmed mean with β = 0.25 of four updates must drop one value from each end of each coordinate")]
    public void Trimmed_mean_must_drop_the_extremes()
    {
        var four = Updates([1, 10], [2, 20], [100, -5], [3, 0]);
        // [1, 2, 3, 100] → (2 + 3) / 2; [−5, 0, 10, 20] → (0 + 10) / 2.
        Assert.Equal([2.5f, 5f], Combine(new TrimmedMean(0.25), four));
        // β = 0.1 of four trims ⌊0.4⌋ = 0: the plain mean.
        Assert.Equal([26.5f, 6.25f], Combine(new TrimmedMean(0.1), four));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrimmedMean(0.5));
    }

    [Fact(DisplayName = "Krum (f = 1) of [0], [1], [2], [3], [100] must score 5, 2, 2, 5, 19013 and pick [1] (the earlier of the tie); Multi-Krum (m = 3) averages [1], [2], [0]")]
    public void Krum_must_pick_the_most_central_updates()
    {
        var five = Updates([0], [1], [2], [3], [100]);
        var krum = new Krum(byzantine: 1);

        Assert.Equal([1f], Combine(krum, five));
        Assert.Equal([5.0, 2.0, 2.0, 5.0, 19013.0], krum.Scores.ToArray());
        Assert.Equal([1f], Combine(new Krum(byzantine: 1, selected: 3), five));
        Assert.Equal("multi-krum", new Krum(1, 3).Name);
    }

    [Fact(DisplayName = "Krum must refuse n < 2f + 3 updates with a clear error, and a configuration whose steps are too small")]
    public void Krum_must_refuse_too_few_updates()
    {
        var e = Assert.Throws<ArgumentException>(() => Combine(new Krum(byzantine: 1), Updates([0], [1], [2], [3])));
        Assert.Contains("needs at least 2f + 3 = 5 updates per step, got 4", e.Message);

        var config = new Combiners("krum", Byzantine: 2);
        var c = Assert.Throws<ArgumentException>(() => config.RequireStep(6, "buffer-size"));
        Assert.Contains("needs at least 7 updates per step", c.Message);
        Assert.Contains("fedactors.server.buffer-size = 6", c.Message);
        config.RequireStep(7, "buffer-size");
    }

    [Fact(DisplayName = "A malicious update of 1e6 must leave median, trimmed mean and Krum within the honest values, where the mean follows it")]
    public void One_attacker_must_not_drag_the_robust_combiners()
    {
        var updates = Updates([1f], [1.1f], [0.9f], [1.05f], [1e6f]);
        Assert.InRange(Combine(new CoordinateMedian(), updates)[0], 0.9f, 1.1f);
        Assert.InRange(Combine(new TrimmedMean(0.2), updates)[0], 0.9f, 1.1f);
        Assert.InRange(Combine(new Krum(1), updates)[0], 0.9f, 1.1f);
    }

    [Fact(DisplayName = "Bulyan (f = 1) of [0] … [5], [100] must let Krum pick [2], [3], [1], [4], [0] and average the three nearest their median 2: [2]")]
    public void Bulyan_must_select_by_Krum_and_trim_around_the_median()
    {
        var bulyan = new Bulyan(byzantine: 1);
        // Krum over the 7 (4 neighbours): 2 and 3 tie at 10, 2 first; then 3 (9, over 6 left); then 1 and 4 tie at 10, 1
        // first; then 4 (1); then 0 over 5 and 100. θ = 5, β = 3: median 2, nearest three 1, 2, 3.
        Assert.Equal([2f], Combine(bulyan, Updates([0], [1], [2], [3], [4], [5], [100])));
        Assert.Equal([2, 3, 1, 4, 0], bulyan.Selected.ToArray());
        var e = Assert.Throws<ArgumentException>(() => Combine(bulyan, Updates([0], [1], [2], [3], [4], [5])));
        Assert.Contains("needs at least 4f + 3 = 7 updates per step, got 6", e.Message);
    }

    [Fact(DisplayName = "The geometric median of a square's corners must be its centre, of [0], [1], [10] the middle point 1, and an outlier must not drag it")]
    public void Geometric_median_must_minimise_the_summed_distance()
    {
        Assert.Equal([1f, 1f], Combine(new GeometricMedian(), Updates([0, 0], [2, 0], [0, 2], [2, 2])));
        Assert.Equal(1f, Combine(new GeometricMedian(), Updates([0], [1], [10]))[0], 1e-3f);
        // Four honest updates near (1, 1) and one at (1000, 1000): the mean moves to about (200, 200), the median stays near.
        var dragged = Combine(new GeometricMedian(), Updates([0.9f, 1f], [1.1f, 1f], [1f, 0.9f], [1f, 1.1f], [1000f, 1000f]));
        Assert.InRange(dragged[0], 0.9f, 1.2f);
        Assert.InRange(dragged[1], 0.9f, 1.2f);
    }

    [Fact(DisplayName = "Divide-and-conquer of [0, 1], [0, −1], [1, 0], [−1, 0], [10, 0] must score 4, 4, 1, 9, 64 and drop [10, 0] (f = 1), then also [−1, 0] (f = 2)")]
    public void Divide_and_conquer_must_drop_the_largest_projections_on_the_top_singular_vector()
    {
        // Mean [2, 0]; centred [−2, 1], [−2, −1], [−1, 0], [−3, 0], [8, 0]: CᵀC = [[82, 0], [0, 2]], top singular vector
        // [1, 0], so the scores are the squared first coordinates (to float rounding: distances are computed in float).
        var five = Updates([0, 1], [0, -1], [1, 0], [-1, 0], [10, 0]);
        var dnc = new DivideAndConquer(byzantine: 1);

        Assert.Equal([0f, 0f], Combine(dnc, five));
        Assert.Equal([4.0, 4.0, 1.0, 9.0, 64.0], dnc.Scores.ToArray().Select(s => Math.Round(s, 5)));
        Assert.Equal([true, true, true, true, false], dnc.Kept.ToArray());
        var two = Combine(new DivideAndConquer(byzantine: 2), five);
        Assert.Equal(1f / 3, two[0], 1e-6f);
        Assert.Equal(0f, two[1], 1e-6f);
        // c = 0.5 of f = 2 drops one, as f = 1 does.
        Assert.Equal([0f, 0f], Combine(new DivideAndConquer(byzantine: 2, filterFraction: 0.5), five));
    }

    [Fact(DisplayName = "Divide-and-conquer must keep the earlier of two equal scores: [1], [−1] with f = 1 gives [1]; f = 0 is the plain mean")]
    public void Divide_and_conquer_must_break_ties_to_the_earlier_update()
    {
        var dnc = new DivideAndConquer(byzantine: 1);
        Assert.Equal([1f], Combine(dnc, Updates([1], [-1])));
        Assert.Equal([true, false], dnc.Kept.ToArray());
        Assert.Equal([0f], Combine(new DivideAndConquer(byzantine: 0), Updates([1], [-1])));
        // Identical updates: nothing to project, all scores 0, the latest goes.
        Assert.Equal([2f], Combine(dnc, Updates([2], [2], [2])));
        Assert.Equal([true, true, false], dnc.Kept.ToArray());
    }

    [Fact(DisplayName = "Two colluding copies of −0.6·(1, …, 1) among ±e₁ … ±e₆ must be the two updates divide-and-conquer drops")]
    public void Divide_and_conquer_must_find_the_direction_colluders_share()
    {
        // Each copy is nearer to most honest updates (distance² 1.96 to every −eᵢ) than the honest ones are to each other
        // (2); but both push along u = (1, …, 1). With mean −u/7 the centred copies project −1.26 on u/√6 and the honest
        // ones 0.62 or −0.20; along u lies the largest spread (about 5.7 against 2 elsewhere), so u is the top vector.
        var deltas = new List<float[]>();
        for (int i = 0; i < 6; i++)
            foreach (var sign in new[] { 1f, -1f })
            {
                var e = new float[6];
                e[i] = sign;
                deltas.Add(e);
            }
        deltas.Add(Enumerable.Repeat(-0.6f, 6).ToArray());
        deltas.Add(Enumerable.Repeat(-0.6f, 6).ToArray());
        var dnc = new DivideAndConquer(byzantine: 2);

        var result = Combine(dnc, Updates([.. deltas]));

        Assert.Equal([.. Enumerable.Repeat(true, 12), false, false], dnc.Kept.ToArray());
        Assert.Equal(1.587, dnc.Scores[12], 3);
        Assert.Equal(0.382, dnc.Scores[0], 3);
        Assert.All(result, v => Assert.Equal(0f, v, 1e-6f));
    }

    [Fact(DisplayName = "Divide-and-conquer must drop an update 3·10¹⁹ away, whose squared distance overflows float32, instead of failing on NaN")]
    public void Divide_and_conquer_must_survive_distances_beyond_float32()
    {
        var dnc = new DivideAndConquer(byzantine: 1);

        var result = Combine(dnc, Updates([0, 1], [0, -1], [1, 0], [-1, 0], [3e19f, 0]));

        Assert.Equal([true, true, true, true, false], dnc.Kept.ToArray());
        Assert.Equal([0f, 0f], result);
        Assert.All(dnc.Scores.ToArray(), s => Assert.True(double.IsFinite(s)));
    }

    [Fact(DisplayName = "Divide-and-conquer must refuse a step it cannot keep one update of, and a configuration whose steps are that small")]
    public void Divide_and_conquer_must_refuse_too_few_updates()
    {
        var e = Assert.Throws<ArgumentException>(() => Combine(new DivideAndConquer(byzantine: 2), Updates([0], [1])));
        Assert.Contains("drops floor(c f) = 2 updates per step and must keep one, got 2", e.Message);
        var c = Assert.Throws<ArgumentException>(() => new Combiners(DivideAndConquer.CombinerName, Byzantine: 3).RequireStep(3, "buffer-size"));
        Assert.Contains("needs at least 4 updates per step", c.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DivideAndConquer(1, 0));
    }

    [Fact(DisplayName = "SignGuard must drop an update whose signs are mostly negative and one of norm above 3× the median, and clip the rest to the median norm")]
    public void SignGuard_must_filter_by_sign_shares_and_norm()
    {
        // Sign shares (+, 0, −): the first four are (0.5, 0, 0.5); [−1, −1, −1, −1] is (0, 0, 1), alone in its cluster;
        // [40, −40, 40, −40] has the honest signs but norm 80 against the median 2.
        var updates = Updates([1, -1, 1, -1], [-1, 1, -1, 1], [2, -2, 2, -2], [-1, 1, 1, -1], [-1, -1, -1, -1], [40, -40, 40, -40]);
        var guard = new SignGuard();

        var result = Combine(guard, updates);

        Assert.Equal([true, true, true, true, false, false], guard.Kept.ToArray());
        Assert.Equal([0.5, 0, 0.5], guard.SignShares[..3].ToArray());
        Assert.Equal([0, 0, 1.0], guard.SignShares[12..15].ToArray());
        // Norms 2, 2, 4, 2, 2, 80: median 2, so [2, −2, 2, −2] counts as [1, −1, 1, −1]. Mean of [1, −1, 1, −1],
        // [−1, 1, −1, 1], [1, −1, 1, −1], [−1, 1, 1, −1]: [0, 0, 0.5, −0.5].
        Assert.Equal([0f, 0f, 0.5f, -0.5f], result);
    }

    [Fact(DisplayName = "SignGuard's vectorized sign count must match a scalar count on 37 coordinates with zeros and signed zeros")]
    public void SignGuard_sign_shares_must_match_a_scalar_count()
    {
        var random = new Random(5);
        var delta = Enumerable.Range(0, 37).Select(j => j % 5 == 0 ? (j % 2 == 0 ? 0f : -0f) : (float)(random.NextDouble() - 0.3)).ToArray();
        var guard = new SignGuard();

        Combine(guard, Updates(delta));

        Assert.Equal(delta.Count(v => v > 0) / 37.0, guard.SignShares[0], 12);
        Assert.Equal(delta.Count(v => v == 0) / 37.0, guard.SignShares[1], 12);
        Assert.Equal(delta.Count(v => v < 0) / 37.0, guard.SignShares[2], 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SignGuard(3, 0.1));
    }

    [Fact(DisplayName = "The staleness-aware norm bound must bound w·‖Δ‖ at the buffer's median: [3, 4]·1, [0.6, 0.8]·1, [0, 2]·0.5 give ([0.6, 0.8] + [0.6, 0.8] + [0, 1]) / 3")]
    public void Staleness_aware_norm_bound_must_bound_weighted_contributions()
    {
        // Contributions w·‖Δ‖: 5, 1, 1; median 1. The first is scaled by 1/5; the fresh [0.6, 0.8] and the stale [0, 2]
        // (weight 0.5, as s(τ) would give) stay. The fold divides by Σ c = 3, as FedBuff's.
        var bound = new StalenessAwareNormBound();
        BufferedUpdate[] updates =
        [
            new([3f, 4f], 1f, 1, 10, 0),
            new([0.6f, 0.8f], 1f, 1, 10, 0),
            new([0f, 2f], 0.5f, 1, 10, 3),
        ];

        var result = Combine(bound, updates);

        Assert.Equal(0.4f, result[0], 1e-6f);
        Assert.Equal(2.6f / 3, result[1], 1e-6f);
        Assert.Equal(1, bound.Bounded);
        // ρ = 10 bounds nothing: the plain FedBuff fold, ([3, 4] + [0.6, 0.8] + 0.5·[0, 2]) / 3.
        var loose = Combine(new StalenessAwareNormBound(10), updates);
        Assert.Equal(3.6f / 3, loose[0], 1e-6f);
        Assert.Equal(5.8f / 3, loose[1], 1e-6f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StalenessAwareNormBound(0));
    }

    [Fact(DisplayName = "An update sent fast (weight 1) and boosted ×10 must count no more than the median contribution of its buffer")]
    public void Fast_boosted_update_must_lose_both_advantages()
    {
        // Four stale honest updates of norm 1 and weight 0.3, one fresh malicious one of norm 10 and weight 1.
        BufferedUpdate[] updates =
        [
            new([1f, 0f], 0.3f, 1, 10, 10), new([0f, 1f], 0.3f, 1, 10, 10), new([1f, 0f], 0.3f, 1, 10, 10), new([0f, 1f], 0.3f, 1, 10, 10),
            new([-10f, 0f], 1f, 1, 10, 0),
        ];

        var result = Combine(new StalenessAwareNormBound(), updates);

        // Median contribution 0.3: the malicious one weighs 0.3 / 10 = 0.03 on its Δ, so it adds −0.3 to the first coordinate.
        Assert.Equal((0.6f - 0.3f) / 5, result[0], 1e-6f);
        Assert.Equal(0.6f / 5, result[1], 1e-6f);
    }

    [Theory(DisplayName = "Median and trimmed mean of blocks sorted across lanes must equal, bit for bit, a sort of each coordinate (37 coordinates: whole blocks and a remainder)")]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(32)]
    [InlineData(33)]
    public void Vectorized_order_statistics_must_match_a_sort_per_coordinate(int n)
    {
        var random = new Random(n);
        var updates = Enumerable.Range(0, n).Select(_ => new BufferedUpdate(
            Enumerable.Range(0, 37).Select(_ => (float)(random.NextDouble() - 0.5) * (random.Next(4) == 0 ? 1000 : 1)).ToArray(), 1f, 1, 10, 0)).ToArray();
        // Ties and signed zeros too.
        if (n > 2)
        {
            updates[1].Delta[3] = updates[0].Delta[3];
            updates[0].Delta[9] = -0f;
            updates[1].Delta[9] = 0f;
        }
        var trimmed = new TrimmedMean(0.2);
        int cut = trimmed.Trimmed(n);

        var median = Combine(new CoordinateMedian(), updates);
        var mean = Combine(trimmed, updates);

        for (int j = 0; j < 37; j++)
        {
            var column = updates.Select(u => u.Delta[j]).Order().ToArray();
            float expectedMedian = n % 2 == 1 ? column[n / 2] : (float)(((double)column[n / 2 - 1] + column[n / 2]) / 2);
            double sum = 0;
            for (int i = cut; i < n - cut; i++) sum += column[i];
            Assert.Equal(BitConverter.SingleToInt32Bits(expectedMedian) & int.MaxValue, BitConverter.SingleToInt32Bits(median[j]) & int.MaxValue);
            Assert.Equal(BitConverter.SingleToInt32Bits((float)(sum / (n - 2 * cut))), BitConverter.SingleToInt32Bits(mean[j]));
        }
    }

    [Theory(DisplayName = "Bulyan's second stage on blocks sorted across lanes must equal, bit for bit, the window around each coordinate's median of a sort")]
    [InlineData(7, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    public void Vectorized_bulyan_must_match_a_sort_per_coordinate(int n, int f)
    {
        var random = new Random(n * 31 + f);
        var updates = Enumerable.Range(0, n).Select(_ => new BufferedUpdate(
            Enumerable.Range(0, 37).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(), 1f, 1, 10, 0)).ToArray();
        var bulyan = new Bulyan(f);

        var result = Combine(bulyan, updates);

        int theta = n - 2 * f, beta = theta - 2 * f;
        var selected = bulyan.Selected.ToArray();
        for (int j = 0; j < 37; j++)
        {
            var column = selected.Select(k => updates[k].Delta[j]).Order().ToArray();
            double median = theta % 2 == 1 ? column[theta / 2] : ((double)column[theta / 2 - 1] + column[theta / 2]) / 2;
            int lo = 0;
            while (lo + beta < theta && Math.Abs(column[lo + beta] - median) < Math.Abs(column[lo] - median)) lo++;
            double sum = 0;
            for (int k = lo; k < lo + beta; k++) sum += column[k];
            Assert.Equal(BitConverter.SingleToInt32Bits((float)(sum / beta)), BitConverter.SingleToInt32Bits(result[j]));
        }
    }
}
