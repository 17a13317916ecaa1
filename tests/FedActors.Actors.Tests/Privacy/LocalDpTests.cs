using Akka.Configuration;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;
using FedActors.Actors.Privacy;
using FedActors.Actors.Tests.Coordination;
using FedActors.Actors.Updates;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Actors.Tests.Privacy;

public sealed class LocalDpTests
{
    private static float[] Encode(float[] delta, double clip, double z, long job = 5, bool secure = false)
    {
        var transform = new LocalDpSettings(clip, z) { SecureNoise = secure }.Create();
        var payload = transform.Encode(new DensePayload(delta), new TransformContext(7, ClientId: 3, JobId: job, BaseVersion: 0, delta.Length));
        return Assert.IsType<DensePayload>(payload).Values;
    }

    [Fact(DisplayName = "Local DP must clip an update above C to norm C on the client, and leave one within C as it is")]
    public void Clip_on_the_client()
    {
        // Δ = (3, 4), ‖Δ‖ = 5, C = 1: scaled by 1/5.
        var clipped = Encode([3f, 4f], clip: 1, z: 0);
        Assert.Equal(0.6f, clipped[0], 1e-6f);
        Assert.Equal(0.8f, clipped[1], 1e-6f);
        Assert.Equal([3f, 4f], Encode([3f, 4f], clip: 10, z: 0));
    }

    [Fact(DisplayName = "Local DP noise must have standard deviation z·C per coordinate, drawn from (seed, job)")]
    public void Noise_has_the_calibrated_spread()
    {
        const int dimension = 40_000;
        var noise = Encode(new float[dimension], clip: 0.5, z: 3);
        double mean = noise.Average(v => (double)v);
        double std = Math.Sqrt(noise.Sum(v => (v - mean) * (v - mean)) / (dimension - 1));
        // z·C = 1.5; the sample standard deviation of 40,000 draws has a relative standard error of 0.35 %.
        Assert.Equal(1.5, std, 1.5 * 0.015);
        Assert.Equal(0, mean, 1.5 * 6 / Math.Sqrt(dimension));
        Assert.Equal(noise, Encode(new float[dimension], clip: 0.5, z: 3));
        Assert.NotEqual(noise, Encode(new float[dimension], clip: 0.5, z: 3, job: 6));
        // The operating system's source: never the seeded draw, never the same twice.
        var secure = Encode(new float[dimension], clip: 0.5, z: 3, secure: true);
        Assert.NotEqual(noise, secure);
        Assert.NotEqual(secure, Encode(new float[dimension], clip: 0.5, z: 3, secure: true));
    }

    [Fact(DisplayName = "Local DP must refuse a non-finite update instead of sending it unclipped")]
    public void Non_finite_update_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Encode([float.NaN, 1f], clip: 1, z: 1));
        Assert.Contains("non-finite", e.Message);
    }

    [Fact(DisplayName = "A local-DP release must be accounted at sensitivity 2C: z local costs what z/2 costs centrally")]
    public void Accounting_uses_twice_the_clip()
    {
        var local = ClientLevelAccounting.For(PrivacySettings.Default with { Mode = PrivacyMode.Local, NoiseMultiplier = 4, Delta = 1e-5 }, 100)!;
        var central = ClientLevelAccounting.For(PrivacySettings.Default with { Mode = PrivacyMode.Central, NoiseMultiplier = 2, Delta = 1e-5 }, 100)!;
        Assert.Equal(2, local.NoiseMultiplier);
        Assert.Equal(central.After(10).Epsilon, local.After(10).Epsilon);
    }

    private static Config Config(string privacy) => ConfigurationFactory.ParseString(privacy).WithFallback(SettingsTests.Reference());

    [Fact(DisplayName = "mode = local must put local-dp in the client pipeline before the compression codecs, and allow any server weighting")]
    public void Settings_put_the_transform_on_the_client()
    {
        var run = RunSettings.Create(Config("fedactors { privacy { mode = local, clip-norm = 2, noise-multiplier = 0.5 }\n compression.uplink = q8 }"));
        Assert.Equal([LocalDpSettings.TransformName, "q8"], run.Transforms.Names.ToArray());
        Assert.Null(PrivacySettings.CentralWrapper(Config("fedactors.privacy.mode = local")));
        Assert.True(run.Privacy.ChargesReleases);
        Assert.False(run.Privacy.WriteAheadSteps);
        var e = Assert.Throws<ConfigurationException>(() => PrivacySettings.Create(Config("fedactors.privacy { mode = local, adaptive-quantile = 0.5 }")));
        Assert.Contains("adaptive-quantile", e.Message);
    }

    private static CoreDriver Driver(int? budget = null, int population = 4)
    {
        var privacy = PrivacySettings.Default with { Mode = PrivacyMode.Local, NoiseMultiplier = 2, Delta = 1e-5 };
        if (budget is { } k)
        {
            var accounting = ClientLevelAccounting.For(privacy, population)!;
            privacy = privacy with { TargetEpsilon = (accounting.After(k).Epsilon + accounting.After(k + 1).Epsilon) / 2 };
        }
        var run = RunSettings.Default with { MaxServerSteps = 1000, EvalEverySteps = 1000, TargetAccuracy = null, Privacy = privacy };
        return new CoreDriver(CoreDriver.FedBuff(concurrency: 2, k: 1) with
        {
            Staleness = FedActors.Actors.Aggregation.StalenessSettings.Default with { MaxStaleness = 0 },
        }, run: run, population: population);
    }

    [Fact(DisplayName = "Under local DP every update sent must be charged, also one the server then drops as too stale")]
    public void Releases_are_charged_at_dispatch()
    {
        var d = Driver();
        Assert.Equal(2, d.Core.Participation.Values.Sum()); // two jobs out, nothing taken yet
        d.Answer(0); // step 1
        d.Answer(0); // staleness 1 > 0: dropped, yet its client released it
        Assert.Equal(1, d.Core.Counters.UpdatesDroppedStale);
        Assert.Equal(1, d.Core.Counters.UpdatesApplied);
        Assert.Equal(d.AllDispatched.Count, d.Core.Participation.Values.Sum());
        foreach (var group in d.AllDispatched.GroupBy(j => j.ClientId))
            Assert.Equal(group.Count(), d.Core.Participation[group.Key]);
    }

    [Fact(DisplayName = "Under a local-DP budget the run must stop before dispatching a client's update past the budget")]
    public void Budget_stops_before_the_release()
    {
        var d = Driver(budget: 2);
        for (int i = 0; i < 100 && d.Finished.Count == 0 && d.Outstanding.Count > 0; i++)
        {
            d.Answer(0);
            if (d.EvaluationRequests.Count > 0 && d.Core.IsAwaitingEvaluation(d.EvaluationRequests[^1].ServerStep))
                d.Evaluate(d.EvaluationRequests[^1].ServerStep, 0.5);
        }
        Assert.Equal(RunStatus.BudgetExhausted, Assert.Single(d.Finished).Status);
        Assert.All(d.AllDispatched.GroupBy(j => j.ClientId), g => Assert.InRange(g.Count(), 1, 2));
        Assert.Equal(2, d.Core.Counters.MaxParticipation);
    }
}
