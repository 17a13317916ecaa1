using Akka.Configuration;
using FedActors.Actors.Compression;
using FedActors.Actors.Coordination;
using FedActors.Actors.Tests.Coordination;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Compression;

public sealed class CompressionSettingsTests
{
    [Theory(DisplayName = "A codec chain must read into its codecs, in client order, and write back as the chain")]
    [InlineData("none", "none", new string[0])]
    [InlineData(" ", "none", new string[0])]
    [InlineData("fp16", "fp16", new[] { "fp16" })]
    [InlineData("q8", "q8", new[] { "q8" })]
    [InlineData("q1", "q1", new[] { "q1" })]
    [InlineData("topk-0.01+q8", "topk-0.01+q8", new[] { "topk-0.01", "q8" })]
    [InlineData("topk-500 + fp16", "topk-500+fp16", new[] { "topk-500", "fp16" })]
    [InlineData("randk-0.25", "randk-0.25", new[] { "randk-0.25" })]
    [InlineData("topk-1e-2", "topk-0.01", new[] { "topk-0.01" })]
    [InlineData("q4-hadamard", "q4-hadamard", new[] { "q4-hadamard" })]
    public void Chains_must_parse(string chain, string written, string[] names)
    {
        var settings = CompressionSettings.Parse(chain, 256);

        Assert.Equal(written, settings.Chain);
        Assert.Equal(names, settings.Uplink.Select(c => c.Name));
        Assert.All(settings.Uplink.OfType<QuantizerSettings>(), q => Assert.Equal(256, q.ChunkSize));
    }

    [Theory(DisplayName = "A chain that is not one must be refused with a message that names the problem")]
    [InlineData("zip", "unknown codec 'zip'")]
    [InlineData("q9", "unknown codec 'q9'")]
    [InlineData("q8+topk-0.1", "'topk-0.1' must come first")]
    [InlineData("topk-0.1+randk-0.1", "'randk-0.1' must come first")]
    [InlineData("fp16+q8", "'q8' follows another value codec")]
    [InlineData("topk-0", "the count kept must be a whole number ≥ 1")]
    [InlineData("topk-1.5", "the fraction kept must be in (0, 1]")]
    [InlineData("topk-0.0", "the fraction kept must be in (0, 1]")]
    [InlineData("randk-", "the count kept must be a whole number ≥ 1")]
    [InlineData("q8+", "unknown codec ''")]
    [InlineData("topk-0.1+q4-hadamard", "'q4-hadamard' rotates the whole update: it cannot follow a sparsifier")]
    [InlineData("q4-hadamar", "unknown codec 'q4-hadamar'")]
    [InlineData("ef", "'ef' needs a lossy codec before it")]
    [InlineData("ef+topk-0.1", "'ef' must come last")]
    [InlineData("topk-0.1+ef+q8", "'ef' must come last")]
    public void Bad_chains_must_be_refused(string chain, string message)
    {
        var e = Assert.Throws<FormatException>(() => CompressionSettings.Parse(chain, 512));
        Assert.Contains(message, e.Message);
    }

    [Fact(DisplayName = "A chain ending in ef must wrap its codecs in error feedback and keep client state")]
    public void Error_feedback_must_wrap_the_codecs()
    {
        var settings = CompressionSettings.Parse("topk-0.1+q8+ef", 512);
        Assert.True(settings.ErrorFeedback);
        Assert.Equal("topk-0.1+q8+ef", settings.Chain);
        Assert.Equal(["topk-0.1", "q8"], settings.Uplink.Select(c => c.Name));
        var wrapped = Assert.IsType<ErrorFeedbackSettings>(Assert.Single(settings.Transforms));
        Assert.Equal(settings.Uplink, wrapped.Codecs);
        Assert.True(UpdatePipelineSettings.Identity.Then(settings.Transforms).KeepsClientState);
        Assert.False(UpdatePipelineSettings.Identity.Then(CompressionSettings.Parse("topk-0.1+q8", 512).Transforms).KeepsClientState);
    }

    [Theory(DisplayName = "summary.json must name the uplink chain and, when compressed, the downlink")]
    [InlineData("none", "none", null)]
    [InlineData("topk-0.1+ef", "none", "topk-0.1+ef")]
    [InlineData("none", "fp16", "none; downlink fp16")]
    [InlineData("randk-0.25+q8", "q8", "randk-0.25+q8; downlink q8")]
    public void The_summary_must_name_both_directions(string uplink, string downlink, string? summary) =>
        Assert.Equal(summary, (CompressionSettings.Parse(uplink, 512) with { Downlink = CompressionSettings.ParseDownlink(downlink, 512) }).Summary);

    [Fact(DisplayName = "A rotated quantizer must need a power-of-two chunk")]
    public void Rotation_must_need_a_power_of_two()
    {
        var e = Assert.Throws<FormatException>(() => CompressionSettings.Parse("q8-hadamard", 500));
        Assert.Contains("must be a power of two, not 500", e.Message);
        Assert.True(Assert.IsType<QuantizerSettings>(CompressionSettings.Parse("q8-hadamard", 256).Uplink[0]).Rotate);
    }

    [Fact(DisplayName = "The run's pipeline must end with the compression codecs, and a bad chain must name its key")]
    public void Run_settings_must_append_the_codecs()
    {
        var reference = SettingsTests.Reference();
        Assert.Equal("none", RunSettings.Create(reference).Compression.Chain);
        Assert.Empty(RunSettings.Create(reference).Transforms.Names);

        var run = RunSettings.Create(ConfigurationFactory.ParseString("fedactors.compression { uplink = \"topk-0.1+q4\", quantize-chunk-size = 64 }").WithFallback(reference));
        Assert.Equal(["topk-0.1", "q4"], run.Transforms.Names);
        Assert.Equal(64, Assert.IsType<QuantizerSettings>(run.Compression.Uplink[1]).ChunkSize);

        var e = Assert.Throws<ConfigurationException>(() => RunSettings.Create(ConfigurationFactory.ParseString("fedactors.compression.uplink = q12").WithFallback(reference)));
        Assert.StartsWith("fedactors.compression.uplink = \"q12\": unknown codec 'q12'", e.Message);
    }

    [Fact(DisplayName = "top-k then 8-bit values must encode and decode through the pipeline to the kept values, all others 0")]
    public void Codecs_must_compose()
    {
        var pipeline = UpdatePipelineSettings.Identity.Then(CompressionSettings.Parse("topk-3+q8", 512).Uplink).Create();
        var context = new TransformContext(3, 1, 4, 0, 8);

        var sent = Assert.IsType<SparsePayload>(pipeline.Encode([0f, 0.5f, -1f, 0.01f, 0f, 0.25f, 0f, 0.02f], context));
        Assert.IsType<QuantizedPayload>(sent.Values);
        Assert.Equal([1, 2, 5], sent.Indices);
        // kind, length, count, gaps 1, 0, 2, then 3 codes at 8 bits with one offset and step.
        Assert.Equal(1 + 4 + 4 + 3 + (1 + 4 + 1 + 4 + 8 + 3), UpdatePayloadCodec.SizeOf(sent));

        var decoded = pipeline.Decode(UpdatePayloadCodec.Read(UpdatePayloadCodec.Encode(sent)), context);
        // Offset −1, step 1.5/255: 0.5 is the top code exactly; 0.25 lies between two codes, one step apart at most.
        Assert.Equal([0f, 0.5f, -1f, 0f, 0f], decoded[..5]);
        Assert.InRange(decoded[5], 0.25f - 1.5f / 255, 0.25f + 1.5f / 255);
        Assert.Equal([0f, 0f], decoded[6..]);
    }
}
