using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Updates;

public sealed class UpdatePayloadTests
{
    [Fact(DisplayName = "A sparse payload must fill its indices and zero every other value")]
    public void Sparse_payload_must_scatter_its_values()
    {
        var dense = Enumerable.Repeat(9f, 6).ToArray(); // stale contents must not survive

        new SparsePayload(6, [1, 4], [0.5f, -2f]).CopyTo(dense);

        Assert.Equal([0f, 0.5f, 0f, 0f, -2f, 0f], dense);
    }

    [Theory(DisplayName = "A sparse payload must refuse indices out of order, repeated or out of range")]
    [InlineData(new[] { 2, 1 })]
    [InlineData(new[] { 1, 1 })]
    [InlineData(new[] { -1 })]
    [InlineData(new[] { 6 })]
    public void Sparse_payload_must_check_its_indices(int[] indices)
    {
        Assert.Throws<ArgumentException>(() => new SparsePayload(6, indices, new float[indices.Length]));
    }

    [Fact(DisplayName = "Quantized codes must unpack least significant bit first, across byte boundaries")]
    public void Quantized_codes_must_unpack_across_bytes()
    {
        // 3-bit codes 2, 7, 5, 1 from bit 0: bits 11..0 read 001 101 111 010 = 0b0011_0111_1010 → bytes 0x7A, 0x03.
        var payload = new QuantizedPayload(4, 3, 4, [1f], [0f], [0x7A, 0x03]);

        Assert.Equal([2, 7, 5, 1], Enumerable.Range(0, 4).Select(payload.Code));
    }

    [Fact(DisplayName = "A quantized payload must dequantize each chunk with its own offset and scale")]
    public void Quantized_payload_must_dequantize_per_chunk()
    {
        // 4-bit codes 1, 2, 3 | 4, 15 in chunks of 3: offset + code · scale.
        var payload = new QuantizedPayload(5, 4, 3, [0.5f, 1f], [0f, -1f], [0x21, 0x43, 0x0F]);
        var dense = new float[5];

        payload.CopyTo(dense);

        Assert.Equal([0.5f, 1f, 1.5f, 3f, 14f], dense);
    }

    [Fact(DisplayName = "A quantized payload must refuse arrays whose sizes disagree with its length, bits and chunks")]
    public void Quantized_payload_must_check_its_sizes()
    {
        Assert.Throws<ArgumentException>(() => new QuantizedPayload(5, 4, 3, [1f], [0f], new byte[3]));         // 2 chunks
        Assert.Throws<ArgumentException>(() => new QuantizedPayload(5, 4, 3, [1f, 1f], [0f, 0f], new byte[2])); // 20 bits need 3 bytes
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuantizedPayload(5, 9, 3, [1f, 1f], [0f, 0f], new byte[6]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuantizedPayload(5, 4, 0, [], [], new byte[3]));
    }

    [Fact(DisplayName = "Copying a payload into a vector of another length must be refused")]
    public void CopyTo_must_check_the_length()
    {
        Assert.Throws<ArgumentException>(() => new DensePayload([1f, 2f]).CopyTo(new float[3]));
        Assert.Throws<ArgumentException>(() => new SparsePayload(4, [], []).CopyTo(new float[3]));
    }

    [Theory(DisplayName = "Every value of a quantized payload must decode to offset + code · step, whatever the bits, chunk size and length")]
    [InlineData(1, 512, 1037)]
    [InlineData(1, 7, 100)]
    [InlineData(2, 16, 1001)]
    [InlineData(2, 3, 50)]
    [InlineData(3, 8, 99)]
    [InlineData(4, 3, 31)]
    [InlineData(4, 512, 44_426)]
    [InlineData(8, 5, 23)]
    public void Quantized_values_must_decode_code_by_code(int bits, int chunkSize, int length)
    {
        var random = new Random(bits * 1000 + chunkSize);
        int chunks = QuantizedPayload.ChunksOf(length, chunkSize);
        var codes = new byte[QuantizedPayload.CodeBytes(length, bits)];
        random.NextBytes(codes);
        var scales = Enumerable.Range(0, chunks).Select(c => 0.25f + c).ToArray();
        var offsets = Enumerable.Range(0, chunks).Select(c => -c * 0.5f).ToArray();
        var payload = new QuantizedPayload(length, bits, chunkSize, scales, offsets, codes);

        var dense = new float[length];
        payload.CopyTo(dense);

        for (int i = 0; i < length; i++)
        {
            // Code i sits at bit i·bits, low bits first, and may span two bytes.
            int bit = i * bits, word = codes[bit / 8] | (bit / 8 + 1 < codes.Length ? codes[bit / 8 + 1] << 8 : 0);
            int code = (word >> (bit % 8)) & ((1 << bits) - 1);
            Assert.Equal(code * scales[i / chunkSize] + offsets[i / chunkSize], dense[i]);
        }
    }
}
