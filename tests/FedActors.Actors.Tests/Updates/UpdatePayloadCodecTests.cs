using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Updates;

public sealed class UpdatePayloadCodecTests
{
    [Fact(DisplayName = "A dense payload must encode as kind 1, its length and its raw little-endian float32 values")]
    public void Dense_payload_must_encode_as_documented()
    {
        var bytes = UpdatePayloadCodec.Encode(new DensePayload([1f, -2f]));

        // 1.0f = 0x3F800000, -2.0f = 0xC0000000, little-endian.
        Assert.Equal(Convert.FromHexString("01" + "02000000" + "0000803F" + "000000C0"), bytes);
        Assert.Equal(UpdatePayloadCodec.DensePrefixBytes + 4 * 2, UpdatePayloadCodec.SizeOf(new DensePayload([1f, -2f])));
    }

    [Fact(DisplayName = "A sparse payload must encode as kind 2, length, count, indices as varint gaps and its values as a nested payload")]
    public void Sparse_payload_must_encode_as_documented()
    {
        var bytes = UpdatePayloadCodec.Encode(new SparsePayload(300, [1, 4, 200], [0.5f, -1f, 2f]));

        // Gaps: 1 (the first index itself), 4 − 2 = 2, 200 − 5 = 195 = 0xC3 → varint C3 01. Then a dense payload of 3:
        // 0.5f = 0x3F000000, -1.0f = 0xBF800000, 2.0f = 0x40000000.
        Assert.Equal(Convert.FromHexString("02" + "2C010000" + "03000000" + "01" + "02" + "C301" + "01" + "03000000" + "0000003F" + "000080BF" + "00000040"), bytes);
        Assert.Equal(bytes.Length, UpdatePayloadCodec.SizeOf(new SparsePayload(300, [1, 4, 200], [0.5f, -1f, 2f])));
    }

    [Fact(DisplayName = "A half payload must encode as kind 4, its length and its little-endian float16 values")]
    public void Half_payload_must_encode_as_documented()
    {
        // 1.0 = 0x3C00, -2.0 = 0xC000 in half precision.
        var bytes = UpdatePayloadCodec.Encode(new HalfPayload([(Half)1f, (Half)(-2f)]));

        Assert.Equal(Convert.FromHexString("04" + "02000000" + "003C" + "00C0"), bytes);
    }

    [Fact(DisplayName = "Sparse values may be a quantized or half payload, and read back as such")]
    public void Sparse_values_must_nest()
    {
        var quantized = new SparsePayload(10, [3, 9], new QuantizedPayload(2, 8, 512, [0.5f], [-1f], [0, 4]));
        var half = new SparsePayload(10, [0], new HalfPayload([(Half)0.25f]));

        var q = Assert.IsType<SparsePayload>(UpdatePayloadCodec.Read(UpdatePayloadCodec.Encode(quantized)));
        var h = Assert.IsType<SparsePayload>(UpdatePayloadCodec.Read(UpdatePayloadCodec.Encode(half)));

        var dense = new float[10];
        q.CopyTo(dense);
        Assert.Equal([0, 0, 0, -1f, 0, 0, 0, 0, 0, 1f], dense);
        h.CopyTo(dense);
        Assert.Equal([0.25f, 0, 0, 0, 0, 0, 0, 0, 0, 0], dense);
    }

    [Theory(DisplayName = "A sparse encoding whose indices leave the vector, whose values disagree with its count, or that ends early must fail to read")]
    [InlineData("02" + "05000000" + "01000000" + "05" + "01" + "01000000" + "0000803F", "outside [0, 5)")]
    [InlineData("02" + "05000000" + "02000000" + "00" + "00" + "01" + "01000000" + "0000803F", "2 indices and 1 values")]
    [InlineData("02" + "05000000" + "02000000" + "00" + "03" + "01" + "01000000", "truncated")]
    [InlineData("02" + "05000000" + "02000000" + "00" + "80", "truncated")]
    [InlineData("02" + "05000000" + "01000000" + "00" + "02" + "01000000" + "01000000" + "00" + "01" + "01000000" + "0000803F", "cannot be sparse")]
    public void Malformed_sparse_must_fail(string hex, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => UpdatePayloadCodec.Read(Convert.FromHexString(hex)));
        Assert.Contains(message, e.Message);
    }

    [Fact(DisplayName = "A quantized payload must encode as kind 3, length, bits, chunk size, scales, offsets and packed codes")]
    public void Quantized_payload_must_encode_as_documented()
    {
        // Five 4-bit codes 1, 2, 3, 4, 15 in chunks of 3: codes pack low nibble first, 0x21, 0x43, 0x0F.
        var payload = new QuantizedPayload(5, 4, 3, [0.5f, 1f], [0f, -1f], [0x21, 0x43, 0x0F]);

        var bytes = UpdatePayloadCodec.Encode(payload);

        Assert.Equal(Convert.FromHexString("03" + "05000000" + "04" + "03000000" + "0000003F" + "0000803F" + "00000000" + "000080BF" + "21430F"), bytes);
    }

    [Theory(DisplayName = "Every payload kind must read back bit for bit, NaN payloads and signed zeros included")]
    [InlineData("dense")]
    [InlineData("sparse")]
    [InlineData("quantized")]
    [InlineData("half")]
    public void Payloads_must_round_trip(string kind)
    {
        var nan = BitConverter.Int32BitsToSingle(0x7FC0_1234);
        UpdatePayload payload = kind switch
        {
            "dense" => new DensePayload([1.5f, -0f, nan, float.NegativeInfinity, 3e-39f]),
            "sparse" => new SparsePayload(1_000_000, [0, 17, 999_999], [-0f, nan, 2f]),
            "half" => new HalfPayload([(Half)1.5f, (Half)(-0f), Half.NaN, Half.NegativeInfinity, Half.Epsilon]),
            _ => new QuantizedPayload(9, 3, 4, [0.25f, nan, 1f], [-1f, 0f, -0f], [0b1111_1010, 0b0110_0101, 0b0000_0011, 0x7]),
        };

        var bytes = UpdatePayloadCodec.Encode(payload);
        var back = UpdatePayloadCodec.Read(bytes);

        Assert.Equal(payload.GetType(), back.GetType());
        Assert.Equal(bytes, UpdatePayloadCodec.Encode(back));
        Assert.Equal(UpdatePayloadCodec.SizeOf(payload), bytes.Length);
    }

    [Theory(DisplayName = "The segments of a payload must concatenate to its encoding")]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1037)]
    public void Segments_must_concatenate_to_the_encoding(int length)
    {
        var payload = new DensePayload(Enumerable.Range(0, length).Select(i => i * 0.25f - 7).ToArray());
        var sparse = new SparsePayload(length + 2, [0, length + 1], [1f, 2f]);

        foreach (UpdatePayload p in new UpdatePayload[] { payload, sparse })
            Assert.Equal(UpdatePayloadCodec.Encode(p), UpdatePayloadCodec.Segments(p).SelectMany(s => s.ToArray()).ToArray());
    }

    [Fact(DisplayName = "A dense payload's values segment must be the payload's own array, not a copy")]
    public void Dense_segments_must_not_copy_the_values()
    {
        var values = new float[] { 1f, 2f, 3f };
        var segments = UpdatePayloadCodec.Segments(new DensePayload(values));

        values[1] = -5f; // visible through the segment: it is the array itself
        Assert.Equal(BitConverter.GetBytes(-5f), segments[1].Slice(4, 4).ToArray());
        using var pin = segments[1].Pin(); // pinnable, as Akka's transport may ask
    }

    [Fact(DisplayName = "A payload must be read from the start of a longer buffer, saying how many bytes it took")]
    public void Payload_must_read_from_a_prefix()
    {
        var encoded = UpdatePayloadCodec.Encode(new SparsePayload(4, [2], [9f]));
        var buffer = encoded.Concat(new byte[] { 0xAB, 0xCD }).ToArray();

        var payload = UpdatePayloadCodec.Read(buffer, out int consumed);

        Assert.Equal(encoded.Length, consumed);
        Assert.Equal(9f, Assert.IsType<DensePayload>(Assert.IsType<SparsePayload>(payload).Values).Values[0]);
        var e = Assert.Throws<InvalidDataException>(() => UpdatePayloadCodec.Read(buffer));
        Assert.Equal($"the update payload ends after {encoded.Length} of {buffer.Length} bytes", e.Message);
    }

    [Theory(DisplayName = "Malformed payloads must be refused with a message that names the problem")]
    [InlineData("09" + "00000000", "unknown update payload kind 9; this build reads 1 (dense), 2 (sparse), 3 (quantized), 4 (half)")]
    [InlineData("01" + "FFFFFFFF", "the update payload's length is negative (-1)")]
    [InlineData("01" + "03000000" + "0000803F", "truncated: 3 float32 values need 12 bytes, 4 remain")]
    [InlineData("02" + "05000000" + "40000000", "truncated: the update payload's sparse count 64 needs 64 bytes, 0 remain")]
    [InlineData("02" + "05000000" + "06000000" + "000000000000", "a sparse payload of length 5 cannot hold 6 values")]
    [InlineData("02" + "05000000" + "01000000" + "FFFFFFFF0F", "sparse index 0 is 4294967295, outside [0, 5)")]
    [InlineData("02" + "05000000" + "01000000" + "FFFFFFFF1F", "a varint runs past 32 bits")]
    [InlineData("03" + "05000000" + "09", "a quantized payload has 1 to 8 bits per code, this one says 9")]
    [InlineData("03" + "05000000" + "04" + "00000000", "a quantized payload's chunk size must be ≥ 1, got 0")]
    [InlineData("03" + "05000000" + "04" + "05000000" + "00000000" + "00000000" + "2143", "truncated: 5 codes of 4 bits need 3 bytes, 2 remain")]
    [InlineData("01", "truncated: the update payload needs 4 more bytes, 0 remain")]
    public void Malformed_payloads_must_be_refused(string hex, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => UpdatePayloadCodec.Read(Convert.FromHexString(hex)));
        Assert.Equal(message, e.Message);
    }
}
