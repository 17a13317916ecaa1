using System.Numerics.Tensors;

namespace FedActors.Actors.Updates;

/// <summary>
/// Values quantized to <see cref="Bits"/>-bit codes, chunk by chunk: value i of chunk c is
/// <c>Offsets[c] + code_i · Scales[c]</c>. Codes are packed densely, least significant bit first, value 0 in the low
/// bits of byte 0. Per-chunk scales keep a few large values from costing every other value its resolution.
/// </summary>
public sealed record QuantizedPayload : UpdatePayload
{
    /// <summary>Creates a quantized payload, checking that every array has the size the others imply.</summary>
    /// <param name="length">The vector's length.</param>
    /// <param name="bits">Bits per code, 1 to 8.</param>
    /// <param name="chunkSize">Values per chunk (the last one may hold fewer); ≥ 1.</param>
    /// <param name="scales">The step between codes, one per chunk.</param>
    /// <param name="offsets">The value of code 0, one per chunk.</param>
    /// <param name="codes">ceil(length · bits / 8) bytes of packed codes.</param>
    /// <exception cref="ArgumentException">A size or the bit width is out of range.</exception>
    public QuantizedPayload(int length, int bits, int chunkSize, float[] scales, float[] offsets, byte[] codes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (bits is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(bits), bits, "a quantized payload has 1 to 8 bits per code");
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(codes);
        int chunks = ChunksOf(length, chunkSize);
        if (scales.Length != chunks || offsets.Length != chunks)
            throw new ArgumentException($"{length} values in chunks of {chunkSize} need {chunks} scales and offsets, got {scales.Length} and {offsets.Length}", nameof(scales));
        long codeBytes = CodeBytes(length, bits);
        if (codes.Length != codeBytes)
            throw new ArgumentException($"{length} codes of {bits} bits take {codeBytes} bytes, got {codes.Length}", nameof(codes));
        (_length, Bits, ChunkSize, Scales, Offsets, Codes) = (length, bits, chunkSize, scales, offsets, codes);
    }

    private readonly int _length;

    /// <summary>Bits per code, 1 to 8.</summary>
    public int Bits { get; }

    /// <summary>Values per chunk; the last chunk may hold fewer.</summary>
    public int ChunkSize { get; }

    /// <summary>The step between consecutive codes of each chunk; shared, read-only.</summary>
    public float[] Scales { get; }

    /// <summary>The value code 0 stands for in each chunk; shared, read-only.</summary>
    public float[] Offsets { get; }

    /// <summary>The packed codes; shared, read-only.</summary>
    public byte[] Codes { get; }

    /// <inheritdoc />
    public override int Length => _length;

    /// <summary>Chunks of <paramref name="chunkSize"/> values that <paramref name="length"/> values take.</summary>
    public static int ChunksOf(int length, int chunkSize) => (int)(((long)length + chunkSize - 1) / chunkSize);

    /// <summary>Bytes that <paramref name="length"/> codes of <paramref name="bits"/> bits take, packed.</summary>
    public static long CodeBytes(int length, int bits) => ((long)length * bits + 7) / 8;

    /// <summary>The code of value <paramref name="index"/>.</summary>
    public int Code(int index)
    {
        long bit = (long)index * Bits;
        int b = (int)(bit >> 3), shift = (int)(bit & 7);
        // A code spans at most two bytes (bits ≤ 8).
        int word = Codes[b] | (b + 1 < Codes.Length ? Codes[b + 1] << 8 : 0);
        return (word >> shift) & ((1 << Bits) - 1);
    }

    /// <inheritdoc />
    public override void CopyTo(Span<float> destination)
    {
        RequireDestination(destination);
        for (int c = 0, start = 0; start < _length; c++, start += ChunkSize)
        {
            int end = Math.Min(_length, start + ChunkSize);
            float scale = Scales[c], offset = Offsets[c];
            var chunk = destination[start..end];
            switch (Bits)
            {
                case 8:
                    TensorPrimitives.ConvertTruncating<byte, float>(Codes.AsSpan(start, end - start), chunk);
                    break;
                case 4 when (start & 1) == 0:
                    // Two codes a byte, low nibble first; a chunk starts on a byte when its start is even.
                    var bytes = Codes.AsSpan(start >> 1, (end - start + 1) >> 1);
                    for (int i = 0, j = 0; i < chunk.Length; i += 2, j++)
                    {
                        chunk[i] = bytes[j] & 0x0F;
                        if (i + 1 < chunk.Length) chunk[i + 1] = bytes[j] >> 4;
                    }
                    break;
                case var b when PackedCodes.Unpacks(b) && (long)start * b % 8 == 0:
                    // Several codes a byte; the chunk starts on a byte boundary (any chunk size that is a multiple of 8 does).
                    long first = (long)start * b / 8;
                    PackedCodes.Unpack(Codes.AsSpan((int)first, (int)(CodeBytes(end, b) - first)), b, chunk);
                    break;
                default:
                    for (int i = start; i < end; i++) chunk[i - start] = Code(i);
                    break;
            }
            TensorPrimitives.Multiply(chunk, scale, chunk);
            TensorPrimitives.Add(chunk, offset, chunk);
        }
    }
}
