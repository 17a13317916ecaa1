using FedActors.Actors.Compression;
using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Compression;

/// <summary>Compressed model broadcasts: what clients train from, and what a node decodes.</summary>
public sealed class ModelBroadcastsTests
{
    private static readonly float[] Weights = [0.1f, -2.5f, 70_000f, 1e-8f, 3.14159f];

    [Fact(DisplayName = "An fp16 broadcast must carry each weight rounded to half precision, saturated at 65,504, under the same number")]
    public void Half_precision_broadcast()
    {
        var exact = new ModelVersion(7, Weights.ToArray());
        var sent = new ModelBroadcasts(new HalfPrecisionSettings(), seed: 1).Of(exact);

        Assert.Equal(7, sent.Number);
        Assert.IsType<HalfPayload>(sent.Broadcast);
        Assert.Equal(Weights.Select(w => (float)(Half)Math.Clamp(w, -65_504f, 65_504f)), sent.Weights);
        Assert.Equal(Weights, exact.Weights); // the published weights stay exact
        Assert.Null(exact.Broadcast);
    }

    [Fact(DisplayName = "An 8-bit broadcast must be the same on every node for a version, drawn apart for another, and decode to what clients train from")]
    public void Stochastic_broadcasts_must_agree_per_version()
    {
        var weights = Enumerable.Range(0, 1000).Select(i => MathF.Sin(i * 0.37f)).ToArray();
        var coordinator = new ModelBroadcasts(new QuantizerSettings(8, 256), seed: 9);
        var node = new ModelBroadcasts(new QuantizerSettings(8, 256), seed: 9);

        var three = coordinator.Of(new ModelVersion(3, weights));
        var again = node.Of(new ModelVersion(3, weights.ToArray()));
        var four = coordinator.Of(new ModelVersion(4, weights));

        Assert.Equal(three.Weights, again.Weights);
        Assert.NotEqual(three.Weights, four.Weights);
        Assert.Same(three, coordinator.Of(new ModelVersion(3, weights)));
        // What a node decodes from the bytes on the wire is what one process trains from.
        var bytes = UpdatePayloadCodec.Encode(three.Broadcast!);
        Assert.Equal(three.Weights, node.Decode(3, UpdatePayloadCodec.Read(bytes)));
        // Within a step of the exact weights: 8 bits over each chunk's range.
        for (int i = 0; i < weights.Length; i++) Assert.InRange(three.Weights[i] - weights[i], -2f / 255 - 1e-6f, 2f / 255 + 1e-6f);
    }

    [Fact(DisplayName = "A broadcast that decodes to non-finite weights must be refused, naming the version")]
    public void A_broken_broadcast_must_be_refused()
    {
        var broken = new HalfPayload([(Half)1, Half.NaN]);
        var e = Assert.Throws<InvalidDataException>(() => new ModelBroadcasts(new HalfPrecisionSettings(), 1).Decode(12, broken));
        Assert.Contains("model version 12", e.Message);
    }

    [Theory(DisplayName = "A downlink must be one value codec")]
    [InlineData("topk-0.1")]
    [InlineData("fp16+q8")]
    [InlineData("ef")]
    [InlineData("q9")]
    public void Downlinks_other_than_a_value_codec_must_be_refused(string downlink)
    {
        var e = Assert.Throws<FormatException>(() => CompressionSettings.ParseDownlink(downlink, 512));
        Assert.StartsWith($"downlink = \"{downlink}\"", e.Message);
    }

    [Fact(DisplayName = "none, fp16 and the quantizers must be read as downlinks")]
    public void Value_codecs_must_be_read() => Assert.Equal(
        [null, "fp16", "q8", "q4-hadamard"],
        new[] { "none", "fp16", "q8", "q4-hadamard" }.Select(d => CompressionSettings.ParseDownlink(d, 512)?.Name));
}
