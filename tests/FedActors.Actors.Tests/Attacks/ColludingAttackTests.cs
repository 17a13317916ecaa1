using Akka.Configuration;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Attacks;

namespace FedActors.Actors.Tests.Attacks;

/// <summary>Colluding attackers that craft their updates from the honest ones of the same step: little-is-enough and IPM.</summary>
public sealed class ColludingAttackTests
{
    private static (ColludingAttack Attack, Recording Inner, int Bad, int[] Good) Build(AttackKind kind, double? z = 1, double epsilon = 0.5, int step = 3)
    {
        var settings = new AttackSettings { Kind = kind, Fraction = 0.25, Seed = 9, Clients = 8, Z = z, Epsilon = epsilon };
        var malicious = settings.Malicious();
        var inner = new Recording(step);
        var good = Enumerable.Range(0, 8).Where(c => !malicious.Contains(c)).ToArray();
        return (new ColludingAttack(inner, settings, dimension: 2, stepSize: step), inner, malicious.Ids[0], good);
    }

    private static ClientContribution Update(float[] delta, int client, int staleness = 0) => new(delta, [0f, 0f], 10, staleness, client);

    [Theory(DisplayName = "Honest [1, 2] and [3, 6] (μ = [2, 4], σ = [1, 2]) must make the malicious update μ − 1·σ = [1, 2] (little-is-enough) or −0.5·μ = [−1, −2] (ipm)")]
    [InlineData(AttackKind.LittleIsEnough, 1f, 2f)]
    [InlineData(AttackKind.InnerProduct, -1f, -2f)]
    public void Malicious_update_must_be_crafted_from_the_honest_ones(AttackKind kind, float first, float second)
    {
        var (attack, inner, bad, good) = Build(kind);

        // The malicious update comes first: held back until the step is due, then crafted.
        Assert.Equal(AdmissionKind.Accepted, attack.Offer(Update([100f, 100f], bad, staleness: 4)).Kind);
        Assert.Equal(1, attack.Pending);
        Assert.False(attack.IsStepDue);
        attack.Offer(Update([1f, 2f], good[0]));
        attack.Offer(Update([3f, 6f], good[1]));
        Assert.True(attack.IsStepDue);
        Assert.Equal(2, inner.Offered.Count);

        attack.Aggregate([0f, 0f], new float[2]);

        Assert.Equal(3, inner.Offered.Count);
        var crafted = inner.Offered[2];
        Assert.Equal([first, second], crafted.Delta);
        Assert.Equal((bad, 4), (crafted.ClientId, crafted.Staleness));
        Assert.Equal(inner.Offered.Count, attack.Pending); // nothing held back any more
        Assert.Equal(1, attack.Crafted);
    }

    [Fact(DisplayName = "A step whose updates are all malicious must give the attackers nothing to craft from: they send zeros")]
    public void All_malicious_step_must_send_zeros()
    {
        var (attack, inner, bad, _) = Build(AttackKind.InnerProduct, step: 1);

        attack.Offer(Update([5f, 5f], bad));
        Assert.True(attack.IsStepDue);
        attack.Aggregate([0f, 0f], new float[2]);

        Assert.Equal([0f, 0f], inner.Offered.Single().Delta);
    }

    [Fact(DisplayName = "z_max must be Φ⁻¹((n − s)/n) with s = ⌊n/2 + 1⌋ − m: 0.583 for n = 50, m = 12 (Baruch et al.'s setting), 0 for n = 10, m = 1")]
    public void ZMax_must_follow_the_paper()
    {
        // s = 26 − 12 = 14; Φ⁻¹(36/50 = 0.72) = 0.582842.
        Assert.Equal(0.582842, LittleIsEnough.ZMax(50, 12), 5);
        // s = 6 − 1 = 5; (10 − 5)/10 = 0.5: the mean itself.
        Assert.Equal(0, LittleIsEnough.ZMax(10, 1));
        // s = 6 − 3 = 3; Φ⁻¹(0.7) = 0.524401.
        Assert.Equal(0.524401, LittleIsEnough.ZMax(10, 3), 5);
        Assert.Equal(1.959964, LittleIsEnough.InverseNormal(0.975), 5);
        Assert.Equal(-2.326348, LittleIsEnough.InverseNormal(0.01), 5);
        Assert.Equal(3, LittleIsEnough.ExpectedMalicious(10, 0.3));
        Assert.Equal(1, LittleIsEnough.ExpectedMalicious(10, 0.01));
    }

    [Fact(DisplayName = "A colluding attack must be refused with fedasync, which has no buffer to hide in, and read its step size from fedbuff or fedavg")]
    public void Colluding_attack_must_need_a_buffer()
    {
        Config With(string algorithm) => ConfigurationFactory.ParseString($$"""
            fedactors.attack.kind = ipm
            fedactors.server.algorithm = {{algorithm}}
            """).WithFallback(Coordination.SettingsTests.Reference());

        var e = Assert.Throws<ConfigurationException>(() => ColludingAttackSettings.Create(With("fedasync")));
        Assert.Contains("fedactors.attack.kind = ipm", e.Message);
        Assert.Equal(10, ColludingAttackSettings.Create(With("fedbuff"))!.StepSize);
        Assert.Equal(100, ColludingAttackSettings.Create(With("fedavg"))!.StepSize);
        Assert.Null(ColludingAttackSettings.Create(Coordination.SettingsTests.Reference()));
    }

    private sealed class Recording(int step) : IAggregationStrategy
    {
        public List<ClientContribution> Offered { get; } = [];
        public Participation Participation => new Participation.Continuous(1);
        public int Pending => Offered.Count;
        public bool IsStepDue => Offered.Count >= step;
        public Admission Offer(in ClientContribution update)
        {
            Offered.Add(update with { Delta = (float[])update.Delta.Clone() });
            return Admission.Accepted;
        }
        public AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate) => AggregateKind.PseudoGradient;
        public void Apply(ReadOnlySpan<float> current, ReadOnlySpan<float> aggregate, Span<float> next) { }
        public ServerOptimizerState? OptimizerState => null;
        public void Restore(ServerOptimizerState? state) { }
    }
}
