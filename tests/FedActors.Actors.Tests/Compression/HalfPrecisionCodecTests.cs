using FedActors.Actors.Compression;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Compression;

public sealed class HalfPrecisionCodecTests
{
    private static readonly TransformContext Context = new(7, 1, 2, 0, 4);

    [Fact(DisplayName = "fp16 must send each value as its nearest half, saturate beyond ±65504, and decode to float32")]
    public void Values_must_travel_as_halves()
    {
        var codec = new HalfPrecisionCodec();

        // 0.1 is 0x2E66 as a half (0.0999755859375); 1e-8 is below the smallest subnormal half (5.96e-8) and rounds to −0.
        var sent = Assert.IsType<HalfPayload>(codec.Encode(new DensePayload([0.1f, 70_000f, -1e-8f, -1e9f]), Context));
        Assert.Equal("662E" + "FF7B" + "0080" + "FFFB", Convert.ToHexString(UpdatePayloadCodec.Encode(sent).AsSpan(5)));
        Assert.Equal(5 + 2 * 4, UpdatePayloadCodec.SizeOf(sent));

        var back = Assert.IsType<DensePayload>(codec.Decode(sent, Context, null));
        Assert.Equal([0.0999755859375f, 65504f, -0f, -65504f], back.Values);
    }

    [Fact(DisplayName = "fp16 after a sparsifier must narrow the values and keep the positions")]
    public void Sparse_values_must_be_narrowed()
    {
        var codec = new HalfPrecisionCodec();
        var sent = Assert.IsType<SparsePayload>(codec.Encode(new SparsePayload(4, [1, 3], [0.5f, -2f]), Context));

        Assert.Equal([1, 3], sent.Indices);
        Assert.IsType<HalfPayload>(sent.Values);
        var back = Assert.IsType<SparsePayload>(codec.Decode(sent, Context, null));
        Assert.Equal([0.5f, -2f], Assert.IsType<DensePayload>(back.Values).Values);
    }

    [Fact(DisplayName = "fp16 must refuse to decode what it does not send")]
    public void Other_payloads_must_not_decode()
    {
        Assert.Throws<InvalidDataException>(() => new HalfPrecisionCodec().Decode(new DensePayload([1f]), Context, null));
    }
}
