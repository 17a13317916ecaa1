using Akka.Configuration;
using FedActors.Actors.Tests.Coordination;
using FedActors.Actors.Updates;
using FedActors.Tests.Shared;

namespace FedActors.Actors.Tests.Updates;

public sealed class UpdatePipelineTests
{
    private static readonly TransformContext Context = new(42, 3, 17, 5, 3);

    /// <summary>x → a·x + b on the client, (y − b)/a on the server; records the order in which it ran.</summary>
    private sealed class Affine(string name, float a, float b, List<string> trace) : IUpdateTransform
    {
        public string Name => name;

        public UpdatePayload Encode(UpdatePayload update, in TransformContext context)
        {
            trace.Add($"encode {name}");
            var values = ((DensePayload)update).Values;
            for (int i = 0; i < values.Length; i++) values[i] = a * values[i] + b;
            return update;
        }

        public UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays)
        {
            trace.Add($"decode {name}");
            var values = (float[])((DensePayload)payload).Values.Clone();
            for (int i = 0; i < values.Length; i++) values[i] = (values[i] - b) / a;
            return new DensePayload(values);
        }
    }

    /// <summary>Keeps the largest-magnitude value only, as a sparse payload; decodes nothing (the pipeline densifies).</summary>
    private sealed class KeepLargest : IUpdateTransform
    {
        public string Name => "keep-largest";

        public UpdatePayload Encode(UpdatePayload update, in TransformContext context)
        {
            var values = ((DensePayload)update).Values;
            int best = 0;
            for (int i = 1; i < values.Length; i++) if (Math.Abs(values[i]) > Math.Abs(values[best])) best = i;
            return new SparsePayload(values.Length, [best], [values[best]]);
        }

        public UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays) => payload;
    }

    [Fact(DisplayName = "The identity pipeline must send Δ as it is and hand the strategy the very same array")]
    public void Identity_must_not_copy()
    {
        var delta = new float[] { 1, 2, 3 };

        var payload = UpdatePipeline.Identity.Encode(delta, Context);
        var decoded = UpdatePipeline.Identity.Decode(payload, Context with { Dimension = 3 });

        Assert.Same(delta, Assert.IsType<DensePayload>(payload).Values);
        Assert.Same(delta, decoded);
    }

    [Fact(DisplayName = "Transforms must encode in order on the client and decode in reverse order on the server")]
    public void Transforms_must_compose()
    {
        var trace = new List<string>();
        var pipeline = new UpdatePipeline([new Affine("times-2", 2, 0, trace), new Affine("plus-1", 1, 1, trace)]);

        var payload = pipeline.Encode([1f, -3f], Context);
        var sent = ((DensePayload)payload).Values.ToArray();
        var decoded = pipeline.Decode(payload, Context with { Dimension = 2 });

        Assert.Equal([3f, -5f], sent);            // (2·x) + 1
        Assert.Equal([1f, -3f], decoded);
        Assert.Equal(["encode times-2", "encode plus-1", "decode plus-1", "decode times-2"], trace);
        Assert.Equal(["times-2", "plus-1"], pipeline.Names);
    }

    [Fact(DisplayName = "Decoding must leave what arrived untouched: a journal may still write it")]
    public void Decode_must_not_write_into_its_input()
    {
        var pipeline = new UpdatePipeline([new SignFlipTransform()]);
        var arrived = new DensePayload([1f, -2f]);

        var decoded = pipeline.Decode(arrived, Context with { Dimension = 2 });

        Assert.Equal([1f, -2f], arrived.Values);
        Assert.Equal([-1f, 2f], decoded);
    }

    [Fact(DisplayName = "A payload still sparse after every decode must be made dense for the strategy")]
    public void A_sparse_result_must_be_densified()
    {
        var pipeline = new UpdatePipeline([new KeepLargest()]);

        var payload = pipeline.Encode([0.5f, -4f, 2f], Context);
        var decoded = pipeline.Decode(payload, Context with { Dimension = 3 }, new DeltaBufferPool(3));

        Assert.IsType<SparsePayload>(payload);
        Assert.Equal([0f, -4f, 0f], decoded);
    }

    [Fact(DisplayName = "A payload that decodes to the wrong length must be refused")]
    public void Wrong_length_must_be_refused()
    {
        var e = Assert.Throws<WrongUpdateLengthException>(() => UpdatePipeline.Identity.Decode(new DensePayload(new float[4]), Context with { Dimension = 3 }));
        Assert.Equal("the update decodes to 4 values; the model has 3", e.Message);
        Assert.Throws<InvalidDataException>(() => new UpdatePipeline([new SignFlipTransform()]).Decode(new SparsePayload(3, [], []), Context with { Dimension = 3 }));
    }

    private static Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(SettingsTests.Reference());

    [Fact(DisplayName = "fedactors.client.transforms must name transforms of the catalog, in order, each once")]
    public void Pipeline_settings_must_read_the_list()
    {
        Assert.Empty(UpdatePipelineSettings.Create(SettingsTests.Reference(), TransformCatalog.BuiltIn).Transforms);
        var settings = UpdatePipelineSettings.Create(With("fedactors.client.transforms = [sign-flip]"), SignFlipSettings.Catalog);
        Assert.Equal(["sign-flip"], settings.Names);
        Assert.IsType<SignFlipTransform>(Assert.Single(settings.Create().Names.Select(_ => new SignFlipTransform())));

        var unknown = Assert.Throws<ConfigurationException>(() => UpdatePipelineSettings.Create(With("fedactors.client.transforms = [topk]"), SignFlipSettings.Catalog));
        Assert.Equal("fedactors.client.transforms: unknown transform 'topk'; valid names are sign-flip", unknown.Message);
        var none = Assert.Throws<ConfigurationException>(() => UpdatePipelineSettings.Create(With("fedactors.client.transforms = [sign-flip]"), TransformCatalog.BuiltIn));
        Assert.Equal("fedactors.client.transforms: unknown transform 'sign-flip'; this build has no update transforms, so the list must be empty", none.Message);
        var twice = Assert.Throws<ConfigurationException>(() => UpdatePipelineSettings.Create(With("fedactors.client.transforms = [sign-flip, sign-flip]"), SignFlipSettings.Catalog));
        Assert.Equal("fedactors.client.transforms names 'sign-flip' twice", twice.Message);
        var scalar = Assert.Throws<ConfigurationException>(() => UpdatePipelineSettings.Create(With("fedactors.client.transforms = sign-flip"), SignFlipSettings.Catalog));
        Assert.Equal("fedactors.client.transforms must be a list of transform names, e.g. [] or [name, name], got 'sign-flip'", scalar.Message);
    }
}
