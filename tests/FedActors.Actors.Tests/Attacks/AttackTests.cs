using FedActors.Actors.Aggregation;
using FedActors.Actors.Attacks;
using FedActors.Actors.Updates;
using FedActors.Actors.Coordination;

namespace FedActors.Actors.Tests.Attacks;

/// <summary>The simulated attackers: who they are and what they send; and norm bounding, which caps what they can do.</summary>
public sealed class AttackTests
{
    private static AttackSettings Attack(AttackKind kind, double fraction = 0.5) =>
        new() { Kind = kind, Fraction = fraction, Scale = 10, Sigma = 0.5, Seed = 3, Clients = 10 };

    [Fact(DisplayName = "Exactly round(f · N) clients must be malicious, the same ones for the same seed, other ones for another")]
    public void Malicious_clients_must_be_drawn_from_the_seed()
    {
        var a = MaliciousClients.Draw(7, 1000, 0.1);
        Assert.Equal(100, a.Ids.Count);
        Assert.Equal(a.Ids, MaliciousClients.Draw(7, 1000, 0.1).Ids);
        Assert.NotEqual(a.Ids, MaliciousClients.Draw(8, 1000, 0.1).Ids);
        Assert.All(a.Ids, id => Assert.InRange(id, 0, 999));
        Assert.Equal(a.Ids.Order(), a.Ids);
        Assert.Equal(3, MaliciousClients.Draw(7, 10, 0.25).Ids.Count); // 2.5 rounds up
        Assert.Empty(MaliciousClients.Draw(7, 10, 0).Ids);
    }

    [Theory(DisplayName = "A malicious client must send −10·Δ (sign-flip) or 10·Δ (scaling); an honest one Δ; the server decodes nothing")]
    [InlineData(AttackKind.SignFlip, -10f, 20f)]
    [InlineData(AttackKind.Scaling, 10f, -20f)]
    public void Model_poisoning_must_replace_only_malicious_updates(AttackKind kind, float first, float second)
    {
        var attack = Attack(kind);
        var malicious = attack.Malicious();
        int bad = malicious.Ids[0], good = Enumerable.Range(0, 10).First(c => !malicious.Contains(c));
        var transform = attack.Create();

        var sent = Assert.IsType<DensePayload>(transform.Encode(new DensePayload([1f, -2f]), new TransformContext(3, bad, 1, 0, 2)));
        Assert.Equal([first, second], sent.Values);
        Assert.Equal([1f, -2f], Assert.IsType<DensePayload>(transform.Encode(new DensePayload([1f, -2f]), new TransformContext(3, good, 2, 0, 2))).Values);
        Assert.Same(sent, transform.Decode(sent, new TransformContext(3, bad, 1, 0, 2), null));
    }

    [Fact(DisplayName = "Gaussian noise must replace a malicious update with N(0, σ²) values drawn from (seed, job)")]
    public void Gaussian_noise_must_be_drawn_per_job()
    {
        var attack = Attack(AttackKind.GaussianNoise);
        int bad = attack.Malicious().Ids[0];
        float[] Noise(long job) => Assert.IsType<DensePayload>(attack.Create().Encode(new DensePayload(new float[20_000]), new TransformContext(3, bad, job, 0, 20_000))).Values;

        var one = Noise(5);
        Assert.Equal(one, Noise(5));
        Assert.NotEqual(one, Noise(6));
        double mean = one.Average(v => (double)v), sd = Math.Sqrt(one.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.02, 0.02);   // 4 standard errors of 0.5 / √20000
        Assert.InRange(sd, 0.49, 0.51);
    }

    [Fact(DisplayName = "Norm bounding must scale an update of norm 5 to norm 1 (scale 0.2) and leave one of norm 0.5 alone")]
    public void Norm_bound_must_cap_each_update()
    {
        var recorder = new Recording();
        var bounded = new NormBound(recorder, bound: 1);
        bounded.Offer(new ClientContribution([3f, 4f], [0f, 0f], 1, 0, 0));
        bounded.Offer(new ClientContribution([0.3f, 0.4f], [0f, 0f], 1, 0, 1));

        Assert.Equal([0.2f, 1f], recorder.Scales);
        Assert.Equal(1, bounded.Bounded);
    }

    private sealed class Recording : IAggregationStrategy
    {
        public List<float> Scales { get; } = [];
        public Participation Participation => new Participation.Continuous(1);
        public int Pending => Scales.Count;
        public bool IsStepDue => false;
        public Admission Offer(in ClientContribution update)
        {
            Scales.Add(update.Scale);
            return Admission.Accepted;
        }
        public AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate) => AggregateKind.None;
        public void Apply(ReadOnlySpan<float> current, ReadOnlySpan<float> aggregate, Span<float> next) { }
        public ServerOptimizerState? OptimizerState => null;
        public void Restore(ServerOptimizerState? state) { }
    }
}

/// <summary>Malicious clients that send fast: their jobs finish after a fraction of an honest job's virtual time.</summary>
public sealed class FastSenderTests
{
    [Fact(DisplayName = "With duration-factor 0.1, a malicious client's job must be due after a tenth of the time an honest one's is")]
    public void Malicious_jobs_must_finish_sooner()
    {
        var attack = new AttackSettings { Kind = AttackKind.Scaling, Fraction = 0.5, Seed = 0, Clients = 20, DurationFactor = 0.1 };
        var run = Actors.Coordination.RunSettings.Default with { MaxServerSteps = 1000, EvalEverySteps = 1000, TargetAccuracy = null, Attack = attack };
        var driver = new Coordination.CoreDriver(Coordination.CoreDriver.FedBuff(concurrency: 20, k: 5), run: run, population: 20);
        var malicious = attack.Malicious();

        // Constant speed, no jitter, 32 samples each: every honest job takes the same time, every malicious one a tenth of it.
        var due = driver.AllDispatched.GroupBy(j => malicious.Contains(j.ClientId)).ToDictionary(g => g.Key, g => g.Select(j => j.ApplyAt).Distinct().ToArray());
        Assert.Single(due[false]);
        Assert.Single(due[true]);
        Assert.Equal(due[false][0] * 0.1, due[true][0], 9);
    }
}

public sealed class DefenseCountTests
{
    [Fact(DisplayName = "Krum's step of 5 must count 4 updates filtered, and the malicious ones of the step as taken and filtered, in the counters, the checkpoint and the evaluation")]
    public void Malicious_updates_taken_and_filtered_must_be_counted()
    {
        var attack = new AttackSettings { Kind = AttackKind.SignFlip, Fraction = 0.3, Seed = 0, Clients = 20 };
        var run = Actors.Coordination.RunSettings.Default with { MaxServerSteps = 1000, EvalEverySteps = 1, TargetAccuracy = null, Attack = attack };
        var server = Coordination.CoreDriver.FedBuff(concurrency: 5, k: 5) with { Aggregator = new Combiners("krum") };
        var driver = new Coordination.CoreDriver(server, run: run, population: 20);
        var malicious = attack.Malicious();
        var step = driver.Outstanding.Take(5).ToArray();
        int bad = step.Count(j => malicious.Contains(j.ClientId));
        Assert.InRange(bad, 1, 2); // the seed's draw: honest updates stay the majority Krum needs

        // Honest clients send 1, 1.1, 1.2, …; malicious ones −50, far from all of them.
        for (int i = 0; i < 5; i++) driver.Answer(0, malicious.Contains(step[i].ClientId) ? -50f : 1f + 0.1f * i);

        var counts = driver.Core.Counters.Defense!;
        Assert.Equal(new DefenseCounts(Filtered: 4, MaliciousTaken: bad, MaliciousFiltered: bad), counts);
        Assert.Equal(0, counts.MaliciousAccepted);
        Assert.Equal(4 - bad, counts.HonestFiltered);
        var checkpoint = driver.Checkpoints[^1].Counters;
        Assert.Equal((4L, (long)bad, (long)bad), (checkpoint.Filtered, checkpoint.MaliciousTaken, checkpoint.MaliciousFiltered));
        foreach (var e in driver.EvaluationRequests.ToList()) driver.Evaluate(e.ServerStep, 0.5);
        Assert.Equal(counts, driver.Records[^1].Defense);
    }

    [Fact(DisplayName = "The plain mean must filter nothing and accept every malicious update it takes")]
    public void Mean_must_accept_every_malicious_update()
    {
        var attack = new AttackSettings { Kind = AttackKind.SignFlip, Fraction = 0.3, Seed = 0, Clients = 20 };
        var run = Actors.Coordination.RunSettings.Default with { MaxServerSteps = 1000, EvalEverySteps = 1000, TargetAccuracy = null, Attack = attack };
        var driver = new Coordination.CoreDriver(Coordination.CoreDriver.FedBuff(concurrency: 5, k: 5), run: run, population: 20);
        var malicious = attack.Malicious();
        var step = driver.Outstanding.Take(5).ToArray();
        int bad = step.Count(j => malicious.Contains(j.ClientId));

        for (int i = 0; i < 5; i++) driver.Answer(0, malicious.Contains(step[i].ClientId) ? -50f : 1f);

        Assert.Equal(new DefenseCounts(0, bad, 0), driver.Core.Counters.Defense);
        Assert.Equal(bad, driver.Core.Counters.Defense!.MaliciousAccepted);
    }
}
