using FedActors.Actors.Aggregation;
using FedActors.Actors.Coordination;
using FedActors.Actors.Population;
using FedActors.Actors.Runs;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;
using FedActors.Actors.Updates;
using FedActors.Tests.Shared;
using FedActors.Training.Data;
using Xunit.Abstractions;

namespace FedActors.Actors.Tests.EndToEnd;

/// <summary>
/// Extensions that live outside src (tests/Shared) run whole federated runs: a strategy that reads each individual
/// update, a wrapper around a built-in strategy, and a client-side transform with its server-side decode.
/// </summary>
public class ExtensionRunTests(ITestOutputHelper output)
{
    private const int K = 5;
    private static readonly SyntheticSettings Synthetic = new(1, 1, false);

    private static FederatedRunSpec Spec(IStrategySettings server, int slots = 2, int steps = 20, UpdatePipelineSettings? transforms = null)
    {
        const ulong seed = 11;
        var run = RunSettings.Default with
        {
            Seed = seed, MaxServerSteps = steps, EvalEverySteps = 10, TargetAccuracy = null, ModelName = "logreg",
            Client = new() { Epochs = 1, BatchSize = 10, LearningRate = 0.05 },
            Transforms = transforms ?? UpdatePipelineSettings.Identity,
        };
        var sim = SimulationSettings.Default with { Device = DeviceSettings.Default with { Dropout = 0.1, JobTimeout = 50 } };
        var trainers = TrainerSettings.Default with { Slots = slots, ThreadsPerSlot = 1, QueueCapacity = 1 };
        return new FederatedRunSpec(run, server, sim, trainers, new SyntheticClientDataSource(Synthetic, seed, clientCount: 40),
            SyntheticFedProx.PooledTest(Synthetic, seed, 40));
    }

    private static readonly CoordinateMedianSettings Median = new() { Concurrency = 10, BufferSize = K };

    [Fact]
    public async Task A_coordinate_wise_median_must_step_on_the_median_of_exactly_the_updates_it_was_offered()
    {
        var recorder = new RecorderSettings();
        var result = await FederatedRun.RunAsync(Spec(WrappedStrategySettings.Around(Median, recorder), steps: 60), new RecordingObserver());
        foreach (var e in result.Evaluations) output.WriteLine($"step {e.ServerStep}: accuracy {e.Accuracy:F4}, staleness {e.MeanStaleness:F2}");

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("coordinate-median", result.Algorithm);
        Assert.Equal(60, result.Counters.ServerSteps);
        Assert.Equal(60 * K, result.Counters.UpdatesApplied);
        var recorded = recorder.Instance!;
        Assert.Equal(60, recorded.Steps.Count);
        for (int step = 0; step < recorded.Steps.Count; step++)
        {
            var updates = recorded.Steps[step];
            Assert.Equal(K, updates.Count);
            var aggregate = recorded.Aggregates[step];
            for (int j = 0; j < aggregate.Length; j++)
            {
                var sorted = updates.Select(u => u[j]).Order().ToArray();
                Assert.Equal(sorted[K / 2], aggregate[j]); // K odd: the middle value itself
            }
        }
        Assert.True(result.FinalAccuracy > result.Evaluations[0].Accuracy + 0.1, $"accuracy {result.Evaluations[0].Accuracy} → {result.FinalAccuracy}");
    }

    [Fact]
    public async Task A_median_run_must_not_depend_on_the_trainer_slots_and_must_differ_from_FedBuff_s_mean()
    {
        var one = await FederatedRun.RunAsync(Spec(Median, slots: 1), new RecordingObserver());
        var two = await FederatedRun.RunAsync(Spec(Median, slots: 2), new RecordingObserver());
        var mean = await FederatedRun.RunAsync(Spec(FedBuffSettings.Default with { Concurrency = 10, BufferSize = K }), new RecordingObserver());

        Assert.Equal(one.ModelSha256, two.ModelSha256);
        Assert.Equal(one.Counters.UpdatesApplied, mean.Counters.UpdatesApplied);
        Assert.NotEqual(mean.ModelSha256, one.ModelSha256);
    }

    [Fact(DisplayName = "The built-in median aggregator must end with the same model as the median strategy written as an extension; Krum must run its steps")]
    public async Task The_built_in_median_must_match_the_extension()
    {
        var builtIn = FedBuffSettings.Default with { Concurrency = 10, BufferSize = K, Aggregator = new Combiners("median") };
        var median = await FederatedRun.RunAsync(Spec(builtIn, steps: 40), new RecordingObserver());
        var extension = await FederatedRun.RunAsync(Spec(Median, steps: 40), new RecordingObserver());
        var krum = await FederatedRun.RunAsync(Spec(builtIn with { Aggregator = new Combiners("krum", Byzantine: 1) }, steps: 40), new RecordingObserver());

        Assert.Equal(RunStatus.Completed, median.Status);
        Assert.Equal(extension.ModelSha256, median.ModelSha256);
        Assert.Equal(RunStatus.Completed, krum.Status);
        Assert.NotEqual(median.ModelSha256, krum.ModelSha256);
        // Not asserted to learn: Krum steps on one client's update, and 40 steps of non-IID Synthetic clients did not
        // (12.8 % → 8.6 % here). Which defense learns when is what the robustness sweep measures.
        Assert.Equal(40, krum.Counters.ServerSteps);
    }

    [Fact]
    public async Task A_sign_flipping_client_transform_must_end_with_the_identity_run_s_model_and_bytes()
    {
        var fedbuff = FedBuffSettings.Default with { Concurrency = 10, BufferSize = K };
        var identity = await FederatedRun.RunAsync(Spec(fedbuff), new RecordingObserver());
        var flipped = await FederatedRun.RunAsync(Spec(fedbuff, transforms: UpdatePipelineSettings.Of(SignFlipSettings.Instance)), new RecordingObserver());

        Assert.Equal(RunStatus.Completed, flipped.Status);
        Assert.Equal(identity.ModelSha256, flipped.ModelSha256);
        Assert.Equal(identity.Counters with { TrainSeconds = 0, UpdatesRejected = null! }, flipped.Counters with { TrainSeconds = 0, UpdatesRejected = null! });
        Assert.Equal(identity.Evaluations.Select(e => (e.Accuracy, e.BytesUp)), flipped.Evaluations.Select(e => (e.Accuracy, e.BytesUp)));
    }

    [Fact]
    public async Task A_norm_clip_wrapper_must_leave_FedBuff_unchanged_when_no_update_reaches_the_bound_and_change_it_when_they_do()
    {
        var fedbuff = FedBuffSettings.Default with { Concurrency = 10, BufferSize = K };
        var plain = await FederatedRun.RunAsync(Spec(fedbuff), new RecordingObserver());
        var loose = await FederatedRun.RunAsync(Spec(WrappedStrategySettings.Around(fedbuff, new NormClipSettings(1e9))), new RecordingObserver());
        var tightSpec = Spec(WrappedStrategySettings.Around(fedbuff, new NormClipSettings(1e-3)));
        var tight = await FederatedRun.RunAsync(tightSpec, new RecordingObserver());

        Assert.Equal(plain.ModelSha256, loose.ModelSha256);
        Assert.Equal(RunStatus.Completed, tight.Status);
        Assert.NotEqual(plain.ModelSha256, tight.ModelSha256);
        // Each clipped update has norm ≤ 1e-3 and each step's Δ̄ weighs them by at most 1 in total, so 20 steps of
        // server SGD (η = 1) move the model by at most 20 · 1e-3; the unclipped run moves much further.
        var initial = FederatedRun.InitialWeights(tightSpec);
        double Distance(float[] w) => Math.Sqrt(Enumerable.Range(0, w.Length).Sum(i => Math.Pow(w[i] - initial[i], 2)));
        output.WriteLine($"distance from the initial model: clipped {Distance(tight.FinalWeights):G4}, plain {Distance(plain.FinalWeights):G4}");
        Assert.InRange(Distance(tight.FinalWeights), 1e-4, 20 * 1e-3 * (1 + 1e-5));
        Assert.True(Distance(plain.FinalWeights) > 20 * 1e-3);
    }

    /// <summary>Records, per server step, the updates the strategy inside accepted (scaled) and the aggregate it formed.</summary>
    private sealed class Recorder(IAggregationStrategy inner) : StrategyWrapper(inner)
    {
        private List<float[]> _pending = [];

        public List<List<float[]>> Steps { get; } = [];

        public List<float[]> Aggregates { get; } = [];

        public override Admission Offer(in ClientContribution update)
        {
            var admission = Inner.Offer(update);
            if (admission == Admission.Accepted)
            {
                float scale = update.Scale;
                _pending.Add(update.Delta.Select(v => v * scale).ToArray());
            }
            return admission;
        }

        public override AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate)
        {
            var kind = Inner.Aggregate(current, aggregate);
            if (kind == AggregateKind.None) return kind;
            Steps.Add(_pending);
            _pending = [];
            Aggregates.Add(aggregate.ToArray());
            return kind;
        }
    }

    private sealed class RecorderSettings : IStrategyWrapperSettings
    {
        public Recorder? Instance { get; private set; }

        public string Name => "recorder";

        public IAggregationStrategy Wrap(IAggregationStrategy inner, int dimension) => Instance = new Recorder(inner);
    }
}
