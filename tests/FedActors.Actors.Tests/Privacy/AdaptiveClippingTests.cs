using FedActors.Actors.Aggregation;
using FedActors.Actors.Privacy;
using FedActors.Training;

namespace FedActors.Actors.Tests.Privacy;

public sealed class AdaptiveClippingTests
{
    [Fact(DisplayName = "Adaptive clipping's update noise and geometric step must equal the paper's formulas worked by hand")]
    public void Formulas_by_hand()
    {
        var adaptive = new AdaptiveClipping(TargetQuantile: 0.5, LearningRate: 0.2, CountStdDev: 5);
        // z_Δ = (1⁻² − (2·5)⁻²)^(−1/2) = 1/√0.99.
        Assert.Equal(1 / Math.Sqrt(0.99), adaptive.UpdateNoiseMultiplier(1.0), 1e-15);
        Assert.Equal(0, adaptive.UpdateNoiseMultiplier(0));
        // C·exp(−0.2·(0.7 − 0.5)) = e^(−0.04).
        Assert.Equal(Math.Exp(-0.04), adaptive.Next(1.0, 0.7), 1e-15);
        Assert.Equal(2 * Math.Exp(0.1), adaptive.Next(2.0, 0.0), 1e-15);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => adaptive.UpdateNoiseMultiplier(10));
        Assert.Contains("adaptive-count-stddev", e.Message);
    }

    private static CentralDp Dp(double quantile, double clip = 0.2, int bufferSize = 50)
    {
        var fedbuff = FedBuffSettings.Default with
        {
            BufferSize = bufferSize,
            Weighting = UpdateWeighting.Uniform,
            Staleness = StalenessSettings.Default with { Weight = new ConstantStaleness() },
        };
        var settings = new CentralDpSettings(clip, 0.5, new ConstantStaleness(), 11)
        {
            Adaptive = new AdaptiveClipping(quantile, 0.2, bufferSize / 20.0),
        };
        return new CentralDp(fedbuff.Create(2), settings);
    }

    // One step of updates whose norms are uniform on [0, 2]; returns the clip norm the step leaves.
    private static double Step(CentralDp dp, DeterministicRandom norms, long step, int n = 50)
    {
        for (int c = 0; c < n; c++) dp.Offer(new ClientContribution([(float)(2 * norms.NextDouble()), 0f], new float[2], 1, 0, c));
        dp.PrepareStep(step);
        dp.Aggregate(new float[2], new float[2]);
        dp.Apply(new float[2], new float[2], new float[2]);
        return dp.ClipNorm;
    }

    [Theory(DisplayName = "Adaptive clipping must track the target quantile of a known norm distribution")]
    // Norms uniform on [0, 2]: the γ-quantile is 2γ. From C = 0.2 the geometric steps reach it within a hundred steps;
    // the mean of the next 300 stays within 5 % of it (the count's noise, σ_b = 2.5 on 50 updates, moves C by a few %).
    [InlineData(0.5, 1.0)]
    [InlineData(0.9, 1.8)]
    [InlineData(0.2, 0.4)]
    public void Clip_norm_must_track_the_quantile(double quantile, double expected)
    {
        var dp = Dp(quantile);
        var norms = DeterministicRandom.For(3, 0, 0);
        for (int t = 1; t <= 150; t++) Step(dp, norms, t);
        double mean = Enumerable.Range(151, 300).Average(t => Step(dp, norms, t));
        Assert.Equal(expected, mean, expected * 0.05);
    }

    [Fact(DisplayName = "The clip norm must survive a checkpoint, and a restore without it must be refused")]
    public void Clip_norm_must_be_checkpointed()
    {
        var dp = Dp(0.5);
        var norms = DeterministicRandom.For(3, 0, 0);
        for (int t = 1; t <= 20; t++) Step(dp, norms, t);
        var state = dp.WrapperState!;
        Assert.Equal(CentralDpSettings.WrapperName, state.Owner);
        Assert.Equal([dp.ClipNorm], state.Values);

        var resumed = Dp(0.5);
        resumed.RestoreWrapper(state);
        Assert.Equal(dp.ClipNorm, resumed.ClipNorm);
        // The same next step from both gives the same clip norm: nothing else is carried.
        Assert.Equal(Step(dp, DeterministicRandom.For(9, 0, 0), 21), Step(resumed, DeterministicRandom.For(9, 0, 0), 21));

        Assert.Throws<ArgumentException>(() => Dp(0.5).RestoreWrapper(null));
        Assert.Throws<ArgumentException>(() => Dp(0.5).RestoreWrapper(new WrapperState("central-dp", [-1.0])));
        var fixedClip = new CentralDp(FedBuffSettings.Default.Create(2), new CentralDpSettings(1, 1, new ConstantStaleness(), 1));
        Assert.Null(fixedClip.WrapperState);
        Assert.Throws<ArgumentException>(() => fixedClip.RestoreWrapper(state));
    }
}
