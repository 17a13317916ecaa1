using FedActors.Actors.Aggregation;
using FedActors.Actors.Coordination;
using FedActors.Actors.Population;
using FedActors.Actors.Runs;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;
using FedActors.Training.Data;
using FedActors.Training.LocalTraining;
using Xunit.Abstractions;

namespace FedActors.Actors.Tests.EndToEnd;

internal sealed class RecordingObserver : IRunObserver
{
    public List<EvaluationRecord> Evaluations { get; } = new();

    public int ProgressTicks { get; private set; }

    public void OnEvaluation(EvaluationRecord record)
    {
        lock (Evaluations) Evaluations.Add(record);
    }

    public void OnProgress(RunProgress progress) => ProgressTicks++;
}

public class FederatedRunTests(ITestOutputHelper output)
{
    private static readonly SyntheticSettings Synthetic = new(1, 1, false);

    private static FederatedRunSpec Spec(int slots, int steps = 30, string algorithm = "fedbuff",
        TrainingEngine engine = TrainingEngine.Auto, int? localSteps = null)
    {
        const ulong seed = 5;
        var population = new SyntheticClientDataSource(Synthetic, seed, clientCount: 30);
        var test = SyntheticFedProx.PooledTest(Synthetic, seed, 30);
        var run = RunSettings.Default with
        {
            Seed = seed, MaxServerSteps = steps, EvalEverySteps = 10, TargetAccuracy = 0.3, ModelName = "logreg",
            Client = new() { Epochs = 1, BatchSize = 10, LearningRate = 0.01, MaxSteps = localSteps },
        };
        IStrategySettings server = algorithm == "fedavg" ? FedAvgSettings.Default with { ClientsPerRound = 8 } : FedBuffSettings.Default with { Concurrency = 8, BufferSize = 4 };
        var sim = SimulationSettings.Default with { Device = DeviceSettings.Default with { Dropout = 0.1, JobTimeout = 50 } };
        var trainers = TrainerSettings.Default with { Slots = slots, ThreadsPerSlot = 1, QueueCapacity = 1, Engine = engine };
        return new FederatedRunSpec(run, server, sim, trainers, population, test);
    }

    [Fact]
    public async Task A_virtual_clock_run_must_be_bit_identical_with_one_or_two_trainer_slots()
    {
        var one = new RecordingObserver();
        var two = new RecordingObserver();
        var a = await FederatedRun.RunAsync(Spec(slots: 1), one);
        var b = await FederatedRun.RunAsync(Spec(slots: 2), two);

        Assert.Equal(RunStatus.Completed, a.Status);
        Assert.Equal(RunStatus.Completed, b.Status);
        Assert.Equal(30, a.Counters.ServerSteps);
        Assert.Equal(a.ModelSha256, b.ModelSha256);
        Assert.Equal(a.FinalWeights, b.FinalWeights);
        static object Key(EvaluationRecord r) => (r.ServerStep, r.VirtualSeconds, r.UpdatesApplied, r.Accuracy, r.Loss, r.MeanStaleness, r.MaxStaleness, r.BytesUp, r.BytesDown,
            r.Diagnostics.MeanUpdateNorm, r.Diagnostics.UpdateNormVariance, r.Diagnostics.MeanCosineToAggregate, r.Diagnostics.JobsDropped);
        Assert.Equal(a.Evaluations.Select(Key), b.Evaluations.Select(Key));
        Assert.Equal(one.Evaluations.Select(Key), a.Evaluations.Select(Key));
        Assert.Equal(new long[] { 0, 10, 20, 30 }, a.Evaluations.Select(r => r.ServerStep));
        Assert.Equal(a.Counters with { TrainSeconds = 0 }, b.Counters with { TrainSeconds = 0 }, new CountersComparer());
        Assert.True(a.Counters.JobsDropped > 0);
    }

    [Fact]
    public async Task The_managed_and_torch_engines_must_run_the_same_logreg_run_to_float_rounding()
    {
        var managed = await FederatedRun.RunAsync(Spec(slots: 2, engine: TrainingEngine.Managed), new RecordingObserver());
        var torch = await FederatedRun.RunAsync(Spec(slots: 2, engine: TrainingEngine.Torch), new RecordingObserver());

        // Same jobs, samples and virtual times: the engines differ only in the last bits of the arithmetic.
        Assert.Equal(torch.Counters.UpdatesApplied, managed.Counters.UpdatesApplied);
        Assert.Equal(torch.Counters.SamplesTrained, managed.Counters.SamplesTrained);
        Assert.Equal(torch.Counters.VirtualSeconds, managed.Counters.VirtualSeconds);
        float scale = torch.FinalWeights.Max(MathF.Abs);
        for (int i = 0; i < torch.FinalWeights.Length; i++)
            Assert.True(MathF.Abs(torch.FinalWeights[i] - managed.FinalWeights[i]) <= 1e-3f * scale, $"weight {i}: {torch.FinalWeights[i]} vs {managed.FinalWeights[i]}");
        Assert.Equal(torch.FinalAccuracy!.Value, managed.FinalAccuracy!.Value, 0.02);
    }

    [Fact]
    public async Task Local_steps_must_cap_every_update_and_keep_the_run_independent_of_the_slots()
    {
        var observer = new RecordingObserver();
        var a = await FederatedRun.RunAsync(Spec(slots: 1, localSteps: 2), observer);
        var b = await FederatedRun.RunAsync(Spec(slots: 2, localSteps: 2), new RecordingObserver());

        Assert.Equal(RunStatus.Completed, a.Status);
        Assert.Equal(a.ModelSha256, b.ModelSha256);
        long received = a.Counters.UpdatesApplied + a.Counters.UpdatesRejected.Values.Sum() + a.Counters.UpdatesDroppedStale;
        Assert.True(a.Counters.SamplesTrained <= 20 * received, $"{a.Counters.SamplesTrained} samples in {received} updates of at most 2 batches of 10");
        Assert.NotEqual((await FederatedRun.RunAsync(Spec(slots: 1), new RecordingObserver())).ModelSha256, a.ModelSha256);
    }

    [Fact]
    public async Task Learning_must_happen()
    {
        var result = await FederatedRun.RunAsync(Spec(slots: 2, steps: 60), new RecordingObserver());
        foreach (var r in result.Evaluations) output.WriteLine($"step {r.ServerStep}: accuracy {r.Accuracy:F4}, loss {r.Loss:F4}, staleness {r.MeanStaleness:F2}");
        output.WriteLine(string.Join(", ", result.Counters.UpdatesRejected.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal(RunStatus.Completed, result.Status);
        double first = result.Evaluations[0].Accuracy;
        Assert.True(result.FinalAccuracy > 0.4 && result.FinalAccuracy > first + 0.2,
            $"accuracy went from {first} to {result.FinalAccuracy}");
        Assert.NotNull(result.Target);
        Assert.True(result.Counters.SamplesTrained > 0);
    }

    [Fact]
    public async Task FedAvg_must_run_rounds_end_to_end()
    {
        var result = await FederatedRun.RunAsync(Spec(slots: 2, steps: 10, algorithm: "fedavg"), new RecordingObserver());
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(10, result.Counters.ServerSteps);
    }

    [Fact]
    public async Task Partial_stragglers_must_train_fewer_epochs_and_dropped_ones_must_never_report()
    {
        // Ten local epochs; every job a straggler: partial work trains 1 … 9 of them, so fewer samples per update.
        var full = Spec(slots: 2, steps: 10, algorithm: "fedavg") is var s
            ? s with { Run = s.Run with { Client = s.Run.Client with { Epochs = 10 } }, Simulation = s.Simulation with { Device = s.Simulation.Device with { Dropout = 0 } } }
            : null!;
        var partial = full with { Simulation = full.Simulation with { Device = full.Simulation.Device with { StragglerFraction = 1 } } };
        var dropped = full with { Simulation = full.Simulation with { Device = full.Simulation.Device with { StragglerFraction = 0.5, StragglerMode = StragglerMode.Drop } } };

        var a = await FederatedRun.RunAsync(full, new RecordingObserver());
        var b = await FederatedRun.RunAsync(partial, new RecordingObserver());
        var c = await FederatedRun.RunAsync(dropped, new RecordingObserver());

        double PerUpdate(RunResult r) => (double)r.Counters.SamplesTrained / r.Counters.UpdatesApplied;
        Assert.Equal(RunStatus.Completed, b.Status);
        Assert.Equal(80, a.Counters.UpdatesApplied); // 10 rounds of 8
        Assert.Equal(80, b.Counters.UpdatesApplied);
        // Uniform over 1 … 9 epochs averages 5 of 10: about half the samples, never all of them.
        Assert.InRange(PerUpdate(b) / PerUpdate(a), 0.3, 0.7);
        // Dropped stragglers time out: their rounds step on the others' updates, about half of them.
        Assert.Equal(RunStatus.Completed, c.Status);
        Assert.InRange(c.Counters.UpdatesApplied, 20, 60);
        Assert.True(c.Counters.JobsDropped > 0);
    }

    [Fact]
    public async Task A_wall_clock_run_must_apply_results_as_they_arrive_and_complete()
    {
        var spec = Spec(slots: 2, steps: 12) is var s ? s with { Simulation = s.Simulation with { Clock = ClockMode.Wall, Device = s.Simulation.Device with { Dropout = 0 } } } : null!;
        var observer = new RecordingObserver();
        var result = await FederatedRun.RunAsync(spec, observer);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(12, result.Counters.ServerSteps);
        Assert.Equal(new long[] { 0, 10, 12 }, observer.Evaluations.Select(r => r.ServerStep));
        Assert.All(result.Evaluations, r => Assert.True(r.WallSeconds >= 0));
    }

    [Fact]
    public async Task Cancellation_must_stop_the_run_gracefully()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var result = await FederatedRun.RunAsync(Spec(slots: 1, steps: 100_000), new RecordingObserver(), cts.Token);
        Assert.Equal(RunStatus.Stopped, result.Status);
        Assert.NotEmpty(result.Evaluations);
    }

    private sealed class CountersComparer : IEqualityComparer<RunCounters>
    {
        public bool Equals(RunCounters? x, RunCounters? y) =>
            x!.ServerSteps == y!.ServerSteps && x.UpdatesApplied == y.UpdatesApplied && x.UpdatesDroppedStale == y.UpdatesDroppedStale
            && x.JobsDispatched == y.JobsDispatched && x.JobsDropped == y.JobsDropped && x.BytesUp == y.BytesUp && x.BytesDown == y.BytesDown
            && x.VirtualSeconds == y.VirtualSeconds && x.UpdatesRejected.SequenceEqual(y.UpdatesRejected);

        public int GetHashCode(RunCounters obj) => 0;
    }
}
