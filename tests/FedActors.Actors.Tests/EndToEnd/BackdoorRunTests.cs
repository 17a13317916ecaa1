using FedActors.Actors.Aggregation;
using FedActors.Actors.Attacks;
using FedActors.Actors.Coordination;
using FedActors.Actors.Population;
using FedActors.Actors.Runs;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;
using FedActors.Training;
using FedActors.Training.Data;
using Xunit.Abstractions;

namespace FedActors.Actors.Tests.EndToEnd;

/// <summary>A whole run under a backdoor attack: the malicious clients train on triggered data, every evaluation measures the backdoor.</summary>
public class BackdoorRunTests(ITestOutputHelper output)
{
    // Three classes of 8×8 images: a bright top half, a bright left half, or neither; pixel noise on top.
    private static LabeledDataset Images(string name, int count, ulong seed)
    {
        var random = DeterministicRandom.For(seed, 0, 0xBAC0_D002);
        var features = new float[count * 64];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 3;
            for (int p = 0; p < 64; p++)
            {
                int row = p / 8, col = p % 8;
                bool bright = labels[i] == 0 ? row < 4 : labels[i] == 1 && col < 4;
                features[i * 64 + p] = (float)Math.Clamp((bright ? 0.8 : 0.1) + random.NextNormal(0, 0.1), 0, 1);
            }
        }
        return new LabeledDataset(name, features, labels, [1, 8, 8], 3);
    }

    private static FederatedRunSpec Spec(AttackSettings attack, IStrategySettings server)
    {
        var train = Images("train", 600, 1);
        var test = Images("test", 300, 2);
        var run = RunSettings.Default with
        {
            Seed = attack.Seed, MaxServerSteps = 60, EvalEverySteps = 20, TargetAccuracy = null, ModelName = "logreg",
            Client = new() { Epochs = 2, BatchSize = 10, LearningRate = 0.1 },
            Attack = attack,
            Transforms = FedActors.Actors.Updates.UpdatePipelineSettings.Identity.Then(attack.PoisonsUpdates ? [attack] : []),
        };
        var trainers = TrainerSettings.Default with { Slots = 2, ThreadsPerSlot = 1, QueueCapacity = 2 };
        var clients = attack.PoisonData(PooledClientDataSource.EvenSplit(train, 20), train);
        return new FederatedRunSpec(run, server, SimulationSettings.Default, trainers, clients, test);
    }

    // fraction 0: the backdoor is measured, nobody plants it.
    private static AttackSettings Backdoor(double fraction) => new()
    {
        Kind = AttackKind.Backdoor, Fraction = fraction, Scale = 5, Seed = 7, Clients = 20, TargetLabel = 2, PoisonFraction = 0.5,
    };

    [Fact(DisplayName = "A boosted backdoor must be learned by the mean, where without malicious clients triggered images keep their class; a run without a backdoor measures none")]
    public async Task Backdoor_must_be_measured_and_learned_by_the_mean()
    {
        var fedbuff = FedBuffSettings.Default with { Concurrency = 10, BufferSize = 5 };

        var attacked = await FederatedRun.RunAsync(Spec(Backdoor(fraction: 0.3), fedbuff), new RecordingObserver());
        var nobody = await FederatedRun.RunAsync(Spec(Backdoor(fraction: 0), fedbuff), new RecordingObserver());
        var plain = await FederatedRun.RunAsync(Spec(AttackSettings.None with { Seed = 7, Clients = 20 }, fedbuff), new RecordingObserver());
        foreach (var (a, b) in attacked.Evaluations.Zip(nobody.Evaluations))
            output.WriteLine($"step {a.ServerStep}: attacked accuracy {a.Accuracy:F3}, backdoor {a.BackdoorAccuracy:F3}; no attacker {b.Accuracy:F3}, backdoor {b.BackdoorAccuracy:F3}");

        Assert.Equal(RunStatus.Completed, attacked.Status);
        Assert.All(attacked.Evaluations.Concat(nobody.Evaluations), e => Assert.InRange(e.BackdoorAccuracy!.Value, 0, 1));
        Assert.All(plain.Evaluations, e => Assert.Null(e.BackdoorAccuracy));
        Assert.Equal(plain.ModelSha256, nobody.ModelSha256); // measuring changes nothing
        Assert.True(nobody.Evaluations[^1].BackdoorAccuracy < 0.2, $"backdoor accuracy without attackers {nobody.Evaluations[^1].BackdoorAccuracy}");
        Assert.True(attacked.Evaluations[^1].BackdoorAccuracy > 0.9, $"backdoor accuracy under attack {attacked.Evaluations[^1].BackdoorAccuracy}");
    }
}
