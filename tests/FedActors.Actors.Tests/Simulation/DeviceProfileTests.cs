using FedActors.Actors.Simulation;

namespace FedActors.Actors.Tests.Simulation;

public class DeviceProfileTests
{
    private static double[] Speeds(DeviceSettings settings, int n = 20_000)
    {
        var profiles = new DeviceProfiles(settings, seed: 7);
        return Enumerable.Range(0, n).Select(profiles.Speed).ToArray();
    }

    private static double Median(double[] x)
    {
        var s = x.Order().ToArray();
        return s[s.Length / 2];
    }

    [Fact]
    public void Lognormal_speed_must_have_median_1_and_log_sd_sigma()
    {
        var x = Speeds(DeviceSettings.Default with { Speed = SpeedDistribution.LogNormal, Sigma = 0.8, MinSpeed = 1e-9 });
        var logs = x.Select(v => Math.Log(v)).ToArray();
        double mean = logs.Average();
        double sd = Math.Sqrt(logs.Select(l => (l - mean) * (l - mean)).Average());
        Assert.InRange(Median(x), 0.95, 1.05);
        Assert.InRange(sd, 0.78, 0.82);
    }

    [Fact]
    public void Exponential_and_half_normal_speeds_must_have_mean_1()
    {
        Assert.InRange(Speeds(DeviceSettings.Default with { Speed = SpeedDistribution.Exponential, MinSpeed = 1e-12 }).Average(), 0.97, 1.03);
        Assert.InRange(Speeds(DeviceSettings.Default with { Speed = SpeedDistribution.HalfNormal, MinSpeed = 1e-12 }).Average(), 0.97, 1.03);
    }

    [Fact]
    public void Pareto_speed_must_be_at_least_1_with_mean_shape_over_shape_minus_1()
    {
        var x = Speeds(DeviceSettings.Default with { Speed = SpeedDistribution.Pareto, Shape = 3 });
        Assert.True(x.Min() >= 1);
        Assert.InRange(x.Average(), 1.45, 1.55); // 3 / 2
    }

    [Fact]
    public void Speeds_must_be_clamped_and_fixed_per_client()
    {
        var settings = DeviceSettings.Default with { Speed = SpeedDistribution.Exponential, MinSpeed = 0.1 };
        var a = new DeviceProfiles(settings, 7);
        var b = new DeviceProfiles(settings, 7);
        Assert.All(Enumerable.Range(0, 1000), c => Assert.Equal(a.Speed(c), b.Speed(c)));
        Assert.True(Speeds(settings).Min() >= 0.1);
    }

    [Fact]
    public void Duration_must_be_steps_times_seconds_per_step_over_speed()
    {
        var settings = DeviceSettings.Default with { Speed = SpeedDistribution.LogNormal, Jitter = 0, SecondsPerStep = 0.5 };
        var p = new DeviceProfiles(settings, 3);
        Assert.Equal(10 * 0.5 / p.Speed(42), p.Duration(42, jobId: 5, localSteps: 10), 12);
    }

    [Fact]
    public void Dropout_rate_and_availability_fraction_must_match_their_settings()
    {
        var p = new DeviceProfiles(DeviceSettings.Default with { Dropout = 0.2, AvailabilityFraction = 0.3, AvailabilityPeriod = 100 }, 11);
        double dropped = Enumerable.Range(0, 20_000).Count(j => p.DropsOut(j)) / 20_000.0;
        Assert.InRange(dropped, 0.19, 0.21);
        double online = Enumerable.Range(0, 20_000).Count(c => p.IsAvailable(c, 37.5)) / 20_000.0;
        Assert.InRange(online, 0.29, 0.31);
        // A client is online for exactly the fraction of its own period.
        double clientOnline = Enumerable.Range(0, 1000).Count(t => p.IsAvailable(5, t * 0.1)) / 1000.0;
        Assert.InRange(clientOnline, 0.29, 0.31);
    }

    [Fact]
    public void Partial_stragglers_must_train_one_to_E_minus_1_epochs_uniformly_and_the_others_the_runs()
    {
        var p = new DeviceProfiles(DeviceSettings.Default with { StragglerFraction = 0.9 }, 11);
        var run = new FedActors.Training.LocalTraining.LocalTrainingOptions { Epochs = 20 };
        var epochs = Enumerable.Range(0, 20_000).Select(j => p.OptionsFor(j, run).Epochs).ToArray();

        double straggling = epochs.Count(e => e < 20) / 20_000.0;
        Assert.InRange(straggling, 0.89, 0.91);
        Assert.Equal(Enumerable.Range(1, 19), epochs.Where(e => e < 20).Distinct().Order());
        // Uniform over 1 … 19: each value about 0.9 / 19 = 4.7 % of the jobs.
        Assert.All(epochs.Where(e => e < 20).CountBy(e => e), kv => Assert.InRange(kv.Value / 20_000.0, 0.040, 0.055));
        Assert.All(Enumerable.Range(0, 20_000), j => Assert.Equal(p.Straggles(j), epochs[j] < 20));
        Assert.DoesNotContain(Enumerable.Range(0, 1000), j => p.DropsOut(j)); // partial work still reports
        // The same job always does the same work (a resumed run resends it).
        Assert.Equal(epochs[123], new DeviceProfiles(DeviceSettings.Default with { StragglerFraction = 0.9 }, 11).OptionsFor(123, run).Epochs);
    }

    [Fact]
    public void Dropped_stragglers_must_never_report_and_a_single_epoch_cannot_be_cut()
    {
        var p = new DeviceProfiles(DeviceSettings.Default with { StragglerFraction = 0.5, StragglerMode = StragglerMode.Drop }, 3);
        var run = new FedActors.Training.LocalTraining.LocalTrainingOptions { Epochs = 20 };
        Assert.All(Enumerable.Range(0, 2000), j => Assert.Equal(p.Straggles(j), p.DropsOut(j)));
        Assert.All(Enumerable.Range(0, 2000), j => Assert.Equal(20, p.OptionsFor(j, run).Epochs));
        Assert.InRange(Enumerable.Range(0, 20_000).Count(j => p.DropsOut(j)) / 20_000.0, 0.49, 0.51);

        var partial = new DeviceProfiles(DeviceSettings.Default with { StragglerFraction = 1 }, 3);
        Assert.Contains("local-epochs ≥ 2", Assert.Throws<InvalidOperationException>(
            () => partial.OptionsFor(0, new FedActors.Training.LocalTraining.LocalTrainingOptions { Epochs = 1 })).Message);
    }
}
