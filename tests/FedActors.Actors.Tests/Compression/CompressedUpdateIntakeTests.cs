using FedActors.Actors.Compression;
using FedActors.Actors.Coordination;
using FedActors.Actors.Tests.Coordination;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Compression;

/// <summary>The coordinator with a compressed uplink: what decodes is applied, what does not is rejected with its reason.</summary>
public sealed class CompressedUpdateIntakeTests
{
    private static CoreDriver Driver(string chain, int concurrency) => new(CoreDriver.FedBuff(concurrency: concurrency, k: 1), run: RunSettings.Default with
    {
        MaxServerSteps = 1000, EvalEverySteps = 1000, TargetAccuracy = null,
        Transforms = UpdatePipelineSettings.Identity.Then(CompressionSettings.Parse(chain, 512).Uplink),
    }, dimension: 4);

    [Fact(DisplayName = "A quantized update with a NaN step, other bits or another length must be rejected with its reason, never applied")]
    public void Malformed_quantized_updates_must_be_rejected()
    {
        var d = Driver("q8", concurrency: 4);
        var jobs = d.Outstanding.Take(4).ToList();
        d.Outstanding.Clear();

        d.Send(d.UpdateFor(jobs[0]) with { Payload = new QuantizedPayload(4, 8, 512, [float.NaN], [0f], new byte[4]) });
        d.Send(d.UpdateFor(jobs[1]) with { Payload = new QuantizedPayload(4, 4, 512, [1f], [0f], new byte[2]) });
        d.Send(d.UpdateFor(jobs[2]) with { Payload = new QuantizedPayload(5, 8, 512, [1f], [0f], new byte[5]) });
        // Codes 0, 1, 2, 255 with offset −1 and step 0.5: Δ = [−1, −0.5, 0, 126.5].
        d.Send(d.UpdateFor(jobs[3]) with { Payload = new QuantizedPayload(4, 8, 512, [0.5f], [-1f], [0, 1, 2, 255]) });

        Assert.Equal(2, d.Core.Counters.UpdatesRejected["malformed"]);
        Assert.Equal(1, d.Core.Counters.UpdatesRejected["wrong_length"]);
        Assert.Equal(1, d.Core.Counters.UpdatesApplied);
        Assert.Equal([-1f, -0.5f, 0f, 126.5f], d.Core.Current.Weights);
    }

    [Fact(DisplayName = "A top-k update with another count of values or a dense update must be rejected as malformed")]
    public void Malformed_sparse_updates_must_be_rejected()
    {
        var d = Driver("topk-2", concurrency: 3);
        var jobs = d.Outstanding.Take(3).ToList();
        d.Outstanding.Clear();

        d.Send(d.UpdateFor(jobs[0]) with { Payload = new SparsePayload(4, [0, 1, 2], [1f, 1f, 1f]) });
        d.Send(d.UpdateFor(jobs[1]));
        d.Send(d.UpdateFor(jobs[2]) with { Payload = new SparsePayload(4, [1, 3], [2f, -2f]) });

        Assert.Equal(2, d.Core.Counters.UpdatesRejected["malformed"]);
        Assert.Equal(1, d.Core.Counters.UpdatesApplied);
        Assert.Equal([0f, 2f, 0f, -2f], d.Core.Current.Weights);
    }
}
