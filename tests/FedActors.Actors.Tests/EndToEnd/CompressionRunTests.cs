using FedActors.Actors.Aggregation;
using FedActors.Actors.Compression;
using FedActors.Actors.Coordination;
using FedActors.Actors.Population;
using FedActors.Actors.Runs;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;
using FedActors.Actors.Updates;
using FedActors.Training.Data;
using Xunit.Abstractions;

namespace FedActors.Actors.Tests.EndToEnd;

/// <summary>Whole runs with a compressed uplink: they learn, count the bytes they sent, and reproduce bit for bit.</summary>
public class CompressionRunTests(ITestOutputHelper output)
{
    private static readonly SyntheticSettings Synthetic = new(1, 1, false);

    // logreg on Synthetic(1, 1): 60 features × 10 classes + 10 biases.
    private const int Parameters = 610;

    private static FederatedRunSpec Spec(string chain, int slots = 2, string downlink = "none")
    {
        const ulong seed = 5;
        var compression = CompressionSettings.Parse(chain, 512) with { Downlink = CompressionSettings.ParseDownlink(downlink, 512) };
        var run = RunSettings.Default with
        {
            Seed = seed, MaxServerSteps = 40, EvalEverySteps = 10, TargetAccuracy = null, ModelName = "logreg",
            Client = new() { Epochs = 1, BatchSize = 10, LearningRate = 0.05 },
            Transforms = UpdatePipelineSettings.Identity.Then(compression.Transforms), Compression = compression,
        };
        var trainers = TrainerSettings.Default with { Slots = slots, ThreadsPerSlot = 1, QueueCapacity = 1 };
        return new FederatedRunSpec(run, FedBuffSettings.Default with { Concurrency = 10, BufferSize = 5 }, SimulationSettings.Default, trainers,
            new SyntheticClientDataSource(Synthetic, seed, clientCount: 40), SyntheticFedProx.PooledTest(Synthetic, seed, 40));
    }

    private static long Arrived(RunCounters c) => c.UpdatesApplied + c.UpdatesDroppedStale + c.UpdatesRejected.Values.Sum();

    [Theory(DisplayName = "A compressed run must learn, reject nothing, and count exactly its encoded update bytes")]
    [InlineData("none", WireSize.UpdateHeaderBytes + 5 + 4 * Parameters)]
    [InlineData("fp16", WireSize.UpdateHeaderBytes + 5 + 2 * Parameters)]
    // Two chunks of 512: kind, length, bits, chunk size, two offsets and steps, one byte per value.
    [InlineData("q8", WireSize.UpdateHeaderBytes + 1 + 4 + 1 + 4 + 16 + Parameters)]
    [InlineData("q4", WireSize.UpdateHeaderBytes + 1 + 4 + 1 + 4 + 16 + Parameters / 2)]
    // Rotated chunks are whole: 1,024 codes of 4 bits.
    [InlineData("q4-hadamard", WireSize.UpdateHeaderBytes + 1 + 4 + 1 + 4 + 16 + 1024 / 2)]
    // 153 values: no positions sent.
    [InlineData("randk-0.25", WireSize.UpdateHeaderBytes + 5 + 4 * 153)]
    public async Task Compressed_runs_must_learn_and_count_their_bytes(string chain, int bytesPerUpdate)
    {
        var result = await FederatedRun.RunAsync(Spec(chain), new RecordingObserver());
        output.WriteLine($"{chain}: accuracy {result.Evaluations[0].Accuracy:F4} → {result.FinalAccuracy:F4}, {result.Counters.BytesUp:N0} bytes up");

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.DoesNotContain(result.Counters.UpdatesRejected, r => r.Key != "failed");
        Assert.Equal(Arrived(result.Counters) * bytesPerUpdate, result.Counters.BytesUp);
        Assert.True(result.FinalAccuracy > result.Evaluations[0].Accuracy + 0.1, $"accuracy {result.Evaluations[0].Accuracy} → {result.FinalAccuracy}");
    }

    [Fact(DisplayName = "top-k with 8-bit values must send at most 2 + 1 bytes per kept value plus its headers, and learn")]
    public async Task Top_k_with_quantized_values_must_be_small()
    {
        var result = await FederatedRun.RunAsync(Spec("topk-0.1+q8"), new RecordingObserver());

        // 61 values: the sparse header, at most two bytes per gap (gaps < 610 < 2^14), one code each, one chunk's offset and step.
        long most = WireSize.UpdateHeaderBytes + 1 + 4 + 4 + 2 * 61 + (1 + 4 + 1 + 4 + 8 + 61);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.InRange((double)result.Counters.BytesUp / Arrived(result.Counters), 1, most);
        Assert.True(result.FinalAccuracy > result.Evaluations[0].Accuracy + 0.1, $"accuracy {result.Evaluations[0].Accuracy} → {result.FinalAccuracy}");
    }

    [Theory(DisplayName = "Stochastic codecs must reproduce: the same model whatever the trainer slots, another model than the uncompressed run")]
    [InlineData("q4")]
    [InlineData("randk-0.25+fp16")]
    // Error feedback: each job continues from the residual the coordinator names, whichever trainer finishes first.
    [InlineData("topk-0.1+ef")]
    // Per layer: the trainers and the coordinator take logreg's layer sizes (600 weights, 10 biases) from the model.
    [InlineData("topk-layer-0.1+ef")]
    public async Task Stochastic_codecs_must_reproduce(string chain)
    {
        var one = await FederatedRun.RunAsync(Spec(chain, slots: 1), new RecordingObserver());
        var two = await FederatedRun.RunAsync(Spec(chain, slots: 2), new RecordingObserver());
        var none = await FederatedRun.RunAsync(Spec("none"), new RecordingObserver());

        Assert.Equal(RunStatus.Completed, one.Status);
        Assert.DoesNotContain(one.Counters.UpdatesRejected, r => r.Key != "failed");

        Assert.Equal(one.ModelSha256, two.ModelSha256);
        Assert.NotEqual(none.ModelSha256, one.ModelSha256);
    }

    [Theory(DisplayName = "A compressed downlink must count each job's broadcast as encoded, reproduce, and learn from the decoded model")]
    [InlineData("fp16", WireSize.HeaderBytes + 5 + 2 * Parameters)]
    // Two chunks of 512: kind, length, bits, chunk size, two offsets and steps, one byte per weight.
    [InlineData("q8", WireSize.HeaderBytes + 1 + 4 + 1 + 4 + 16 + Parameters)]
    public async Task A_compressed_downlink_must_count_its_bytes_and_learn(string downlink, int bytesPerJob)
    {
        var result = await FederatedRun.RunAsync(Spec("none", downlink: downlink), new RecordingObserver());
        var again = await FederatedRun.RunAsync(Spec("none", slots: 1, downlink: downlink), new RecordingObserver());
        var fp32 = await FederatedRun.RunAsync(Spec("none"), new RecordingObserver());
        output.WriteLine($"{downlink}: accuracy {result.FinalAccuracy:F4} (float32 {fp32.FinalAccuracy:F4}), {result.Counters.BytesDown:N0} bytes down against {fp32.Counters.BytesDown:N0}");

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(result.Counters.JobsDispatched * bytesPerJob, result.Counters.BytesDown);
        Assert.Equal(fp32.Counters.JobsDispatched * WireSize.Of(Parameters), fp32.Counters.BytesDown);
        Assert.Equal(result.ModelSha256, again.ModelSha256);
        Assert.NotEqual(fp32.ModelSha256, result.ModelSha256);
        Assert.True(result.FinalAccuracy > result.Evaluations[0].Accuracy + 0.1, $"accuracy {result.Evaluations[0].Accuracy} → {result.FinalAccuracy}");
    }
}
