using Akka.Configuration;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Privacy;
using FedActors.Actors.Tests.Coordination;

namespace FedActors.Actors.Tests.Privacy;

public sealed class CentralDpTests
{
    private sealed class FixedStaleness(double weight) : IStalenessWeight
    {
        public double Weight(int staleness) => weight;
    }

    private static CentralDp Dp(int bufferSize, double clip, double z, double stalenessWeight = 1.0, int dimension = 2, ulong seed = 7)
    {
        var staleness = new FixedStaleness(stalenessWeight);
        var fedbuff = FedBuffSettings.Default with
        {
            BufferSize = bufferSize,
            Weighting = UpdateWeighting.Uniform,
            Staleness = StalenessSettings.Default with { Weight = staleness },
        };
        return new CentralDp(fedbuff.Create(dimension), new CentralDpSettings(clip, z, staleness, seed));
    }

    private static ClientContribution Update(float[] delta, int client, int staleness = 0) =>
        new(delta, new float[delta.Length], 10, staleness, client);

    [Theory(DisplayName = "A client's part of a step must never exceed C after clipping and staleness weighting")]
    // Δ = (3, 4), ‖Δ‖ = 5, C = 1: the clip is 1/5; a staleness weight s > 1 divides it by s, so s·λ·Δ = (0.6, 0.8), norm C.
    [InlineData(1.0, 0.6, 0.8)]
    [InlineData(2.5, 0.6, 0.8)]
    // s = 0.5 shortens the step as FedBuff does without DP: 0.5 · (0.6, 0.8).
    [InlineData(0.5, 0.3, 0.4)]
    public void Contribution_must_be_bounded(double stalenessWeight, float x, float y)
    {
        var dp = Dp(bufferSize: 1, clip: 1.0, z: 0, stalenessWeight);
        Assert.Equal(AdmissionKind.Accepted, dp.Offer(Update([3f, 4f], client: 1, staleness: 3)).Kind);
        var aggregate = new float[2];
        dp.PrepareStep(1);
        Assert.Equal(AggregateKind.PseudoGradient, dp.Aggregate(new float[2], aggregate));
        Assert.Equal(x, aggregate[0], 1e-6f);
        Assert.Equal(y, aggregate[1], 1e-6f);
        Assert.Equal(1, dp.Clipped);
    }

    [Fact(DisplayName = "An update within C must pass unscaled, and the step must average the buffer")]
    public void Small_updates_pass()
    {
        var dp = Dp(bufferSize: 2, clip: 10.0, z: 0);
        dp.Offer(Update([3f, 4f], client: 1));
        dp.Offer(Update([1f, -2f], client: 2));
        var aggregate = new float[2];
        dp.PrepareStep(1);
        dp.Aggregate(new float[2], aggregate);
        Assert.Equal([2f, 1f], aggregate);
        Assert.Equal(0, dp.Clipped);
    }

    [Fact(DisplayName = "Each step's aggregate must carry Gaussian noise of standard deviation z·C/n, drawn from the seed and step")]
    public void Noise_must_have_the_calibrated_spread()
    {
        const int dimension = 40_000, n = 4;
        float[] Step(ulong seed, long step)
        {
            var dp = Dp(bufferSize: n, clip: 0.5, z: 2.0, dimension: dimension, seed: seed);
            for (int c = 0; c < n; c++) dp.Offer(Update(new float[dimension], client: c));
            var aggregate = new float[dimension];
            dp.PrepareStep(step);
            dp.Aggregate(new float[dimension], aggregate);
            return aggregate;
        }
        var noise = Step(7, 12);
        double mean = noise.Average(v => (double)v);
        double std = Math.Sqrt(noise.Sum(v => (v - mean) * (v - mean)) / (dimension - 1));
        // z·C/n = 2 · 0.5 / 4 = 0.25; the sample standard deviation of 40,000 draws is within 1.5 % of it with
        // probability far above 1 − 10⁻⁹ (its relative standard error is 1/√(2·40,000) = 0.35 %).
        Assert.Equal(0.25, std, 0.25 * 0.015);
        Assert.Equal(0, mean, 0.25 * 6 / Math.Sqrt(dimension));
        Assert.Equal(noise, Step(7, 12));
        Assert.NotEqual(noise, Step(7, 13));
        Assert.NotEqual(noise, Step(8, 12));
    }

    [Fact(DisplayName = "A client's second update within one step must be refused, and taken again in the next step")]
    public void One_update_per_client_per_step()
    {
        var dp = Dp(bufferSize: 3, clip: 1.0, z: 0);
        Assert.Equal(AdmissionKind.Accepted, dp.Offer(Update([1f, 0f], client: 5)).Kind);
        var repeat = dp.Offer(Update([1f, 0f], client: 5));
        Assert.Equal(AdmissionKind.Rejected, repeat.Kind);
        Assert.Equal("dp_repeat_client", repeat.Reason);
        Assert.Equal(1, dp.Pending);
        dp.PrepareStep(1);
        dp.Aggregate(new float[2], new float[2]);
        dp.Apply(new float[2], new float[2], new float[2]);
        Assert.Equal(AdmissionKind.Accepted, dp.Offer(Update([1f, 0f], client: 5)).Kind);
    }

    private static Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(SettingsTests.Reference());

    [Theory(DisplayName = "DP must refuse server settings that let one client weigh more than C, naming the key")]
    [InlineData("fedactors.server.weighting = sample-weighted", "weighting = uniform")]
    [InlineData("fedactors.server.weighting = uniform\nfedactors.server.staleness.normalization = weighted-mean", "normalization = none")]
    [InlineData("fedactors.server.weighting = uniform\nfedactors.server.aggregator = median", "aggregator = mean")]
    public void Unbounded_weights_must_be_refused(string server, string named)
    {
        var e = Assert.Throws<ConfigurationException>(() => StrategyCatalog.BuiltIn.Read(With("fedactors.privacy.mode = central\n" + server)));
        Assert.Contains(named, e.Message);
    }

    [Fact(DisplayName = "mode = central must wrap the chosen strategy in central DP, and none must leave it bare")]
    public void Catalog_must_wrap_when_on()
    {
        var on = StrategyCatalog.BuiltIn.Read(With("fedactors.privacy.mode = central\nfedactors.server.weighting = uniform"));
        var wrapped = Assert.IsType<WrappedStrategySettings>(on);
        Assert.Contains(wrapped.Wrappers, w => w is CentralDpSettings { ClipNorm: 1.0, NoiseMultiplier: 1.0 });
        Assert.IsType<FedBuffSettings>(StrategyCatalog.BuiltIn.Read(With("fedactors.privacy.mode = none")));
        Assert.Contains("none, central, local", Assert.Throws<ConfigurationException>(() => PrivacySettings.Create(With("fedactors.privacy.mode = shuffle"))).Message);
        Assert.Throws<ConfigurationException>(() => PrivacySettings.Create(With("fedactors.privacy.clip-norm = 0")));
        Assert.Equal(Math.Pow(1000, -1.1), PrivacySettings.Create(With("")).DeltaFor(1000), 1e-18);
    }

    [Theory(DisplayName = "Adaptive clipping's default count noise must be the updates per step / 20: FedBuff's buffer, or its cohort")]
    [InlineData("", 0.5)] // buffer-size 10
    [InlineData("fedactors.server.cohorts.size = 40", 2.0)]
    public void Count_noise_follows_the_step_size(string server, double sigma)
    {
        var wrapper = PrivacySettings.CentralWrapper(With(
            "fedactors.privacy { mode = central, adaptive-quantile = 0.5, noise-multiplier = 0.1 }\nfedactors.server.weighting = uniform\n" + server));
        Assert.Equal(sigma, Assert.IsType<CentralDpSettings>(wrapper).Adaptive!.CountStdDev);
    }
}
