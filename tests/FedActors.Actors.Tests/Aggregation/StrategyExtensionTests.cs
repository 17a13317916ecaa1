using Akka.Configuration;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Configuration;
using FedActors.Actors.Tests.Coordination;
using FedActors.Tests.Shared;

namespace FedActors.Actors.Tests.Aggregation;

/// <summary>
/// Strategies and wrappers from outside the Aggregation folder (tests/Shared): a coordinate-wise median that reads
/// every individual update, and a norm clip that wraps any strategy. The expectations are computed by hand.
/// </summary>
public class StrategyExtensionTests
{
    private static readonly float[] Base = [0f, 0f, 0f];

    private static ClientContribution Update(float[] delta, int staleness = 0, int samples = 10) => new(delta, Base, samples, staleness, ClientId: 0);

    private static CoordinateMedianSettings Median(int k) => new() { Concurrency = 4, BufferSize = k };

    [Fact]
    public void The_median_must_take_each_coordinate_s_middle_value_of_the_K_updates()
    {
        var median = Median(3).Create(3);
        Assert.Equal(Admission.Accepted, median.Offer(Update([1f, -2f, 10f])));
        Assert.Equal(Admission.Accepted, median.Offer(Update([3f, 0f, -1f])));
        Assert.False(median.IsStepDue);
        Assert.Equal(Admission.Accepted, median.Offer(Update([2f, 5f, 4f])));
        Assert.True(median.IsStepDue);
        Assert.Equal(Admission.Rejected("buffer_full"), median.Offer(Update([0f, 0f, 0f])));

        float[] current = [0.5f, 0.5f, 0.5f], aggregate = new float[3], next = new float[3];
        Assert.Equal(AggregateKind.PseudoGradient, median.Aggregate(current, aggregate));
        // Coordinates {1, 3, 2}, {-2, 0, 5}, {10, -1, 4}: medians 2, 0, 4. A mean would give 2, 1, 13/3.
        Assert.Equal([2f, 0f, 4f], aggregate);
        Assert.Equal(0, median.Pending);
        median.Apply(current, aggregate, next);
        Assert.Equal([2.5f, 0.5f, 4.5f], next); // server SGD with η = 1: x + Δ̄
        Assert.Equal(AggregateKind.None, median.Aggregate(current, aggregate));
    }

    [Fact]
    public void An_even_K_must_average_the_two_middle_values_and_a_scale_must_apply_before_the_median()
    {
        var median = Median(4).Create(1);
        median.Offer(Update([1f]));
        median.Offer(Update([10f]));
        median.Offer(Update([3f]) with { Scale = 0.5f }); // counts as 1.5
        median.Offer(Update([2f]));
        var aggregate = new float[1];
        median.Aggregate([0f], aggregate);
        Assert.Equal(1.75f, aggregate[0]); // sorted 1, 1.5, 2, 10: (1.5 + 2) / 2
    }

    [Fact]
    public void The_median_must_refuse_non_finite_and_too_stale_updates_and_stay_as_it_was()
    {
        var median = (Median(2) with { MaxStaleness = 3 }).Create(2);
        median.Offer(Update([1f, 1f]));
        Assert.Equal(Admission.NonFinite, median.Offer(Update([float.NaN, 0f])));
        Assert.Equal(Admission.TooStale, median.Offer(Update([0f, 0f], staleness: 4)));
        Assert.Equal(1, median.Pending);
        Assert.Equal(Admission.Accepted, median.Offer(Update([3f, -1f], staleness: 3)));
        var aggregate = new float[2];
        median.Aggregate([0f, 0f], aggregate);
        Assert.Equal([2f, 0f], aggregate);
    }

    [Fact]
    public void A_norm_clip_around_FedBuff_must_scale_each_update_to_the_bound_before_the_mean()
    {
        var fedbuff = FedBuffSettings.Default with
        {
            BufferSize = 2, Weighting = UpdateWeighting.Uniform,
            Staleness = StalenessSettings.Default with { Weight = new ConstantStaleness() },
        };
        var clipped = WrappedStrategySettings.Around(fedbuff, new NormClipSettings(1.0)).Create(2);
        float[] big = [3f, 4f], small = [0.3f, 0.4f];
        clipped.Offer(new ClientContribution(big, [0f, 0f], 10, 0, 1));
        clipped.Offer(new ClientContribution(small, [0f, 0f], 10, 0, 2));
        Assert.True(clipped.IsStepDue);
        var aggregate = new float[2];
        Assert.Equal(AggregateKind.PseudoGradient, clipped.Aggregate([0f, 0f], aggregate));
        // ‖(3, 4)‖ = 5 → scaled by 1/5 to (0.6, 0.8); ‖(0.3, 0.4)‖ = 0.5 stays. Mean: (0.45, 0.6).
        Assert.Equal(0.45f, aggregate[0], 6);
        Assert.Equal(0.6f, aggregate[1], 6);
        Assert.Equal([3f, 4f], big); // the client's array is not rewritten
    }

    [Fact]
    public void Wrappers_must_nest_innermost_first_around_the_median()
    {
        // Clip at 10, then clip at 1: the outer bound (1) wins; the median of (0.6, 0.8), (0, 1), (1, 0) is (0.6, 0.8).
        var settings = WrappedStrategySettings.Around(WrappedStrategySettings.Around(Median(3), new NormClipSettings(10)), new NormClipSettings(1));
        var wrapped = Assert.IsType<WrappedStrategySettings>(settings);
        Assert.Equal([10.0, 1.0], wrapped.Wrappers.Select(w => ((NormClipSettings)w).Bound));
        Assert.Equal("coordinate-median", settings.Name);
        Assert.Equal(3, settings.UpdatesPerStep);
        var strategy = settings.Create(2);
        strategy.Offer(new ClientContribution([3f, 4f], [0f, 0f], 1, 0, 1));
        strategy.Offer(new ClientContribution([0f, 2f], [0f, 0f], 1, 0, 2));
        strategy.Offer(new ClientContribution([0.5f, 0f], [0f, 0f], 1, 0, 3));
        var aggregate = new float[2];
        strategy.Aggregate([0f, 0f], aggregate);
        // Scaled: (0.6, 0.8), (0, 1), (0.5, 0). Medians: 0.5 and 0.8.
        Assert.Equal(0.5f, aggregate[0], 6);
        Assert.Equal(0.8f, aggregate[1], 6);
    }

    [Fact]
    public void A_catalog_must_read_a_test_strategy_and_the_wrappers_its_config_switches_on()
    {
        var catalog = CoordinateMedianSettings.Catalog.WithWrapper(NormClipSettings.WrapperName,
            c => c.HasPath("test.norm-clip") ? new NormClipSettings(new ConfigReader(c, "test").Double("norm-clip", minExclusive: 0)) : null);
        Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(SettingsTests.Reference());

        var plain = Assert.IsType<CoordinateMedianSettings>(catalog.Read(With("fedactors.server { algorithm = coordinate-median, buffer-size = 7 }")));
        Assert.Equal(7, plain.BufferSize);
        var wrapped = Assert.IsType<WrappedStrategySettings>(catalog.Read(With("fedactors.server.algorithm = fedbuff\ntest.norm-clip = 2.5")));
        Assert.IsType<FedBuffSettings>(wrapped.Inner);
        Assert.Equal(new NormClipSettings(2.5), Assert.Single(wrapped.Wrappers));
        Assert.Equal("fedbuff", wrapped.Name);

        var unknown = Assert.Throws<ConfigurationException>(() => catalog.Read(With("fedactors.server.algorithm = krum")));
        Assert.Equal("fedactors.server.algorithm: unknown 'krum'; valid values are fedbuff, fedasync, fedavg, coordinate-median", unknown.Message);
        Assert.Throws<ConfigurationException>(() => catalog.Read(With("fedactors.server.algorithm = fedbuff\ntest.norm-clip = -1")));
        Assert.Throws<ArgumentException>(() => catalog.WithWrapper(NormClipSettings.WrapperName, _ => null));
        Assert.Throws<ArgumentException>(() => catalog.With("coordinate-median", CoordinateMedianSettings.Create));
    }
}
