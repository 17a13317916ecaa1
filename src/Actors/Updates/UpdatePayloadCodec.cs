using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FedActors.Actors.Updates;

/// <summary>
/// The one encoding of an <see cref="UpdatePayload"/>, shared by the wire serializer, the journal and the chunking of
/// large updates, so the three always agree and every byte counted is a byte sent. All integers and floats are
/// little-endian:
/// <code>
///   kind      1 byte: 1 dense, 2 sparse, 3 quantized, 4 half
///   dense     length int32, values float32[length]
///   sparse    length int32, count int32, indices as varints[count], values: a payload of count values (not sparse)
///   quantized length int32, bits byte (1..8), chunk size int32, scales float32[chunks], offsets float32[chunks],
///             codes byte[ceil(length · bits / 8)]           (chunks = ceil(length / chunk size))
///   half      length int32, values float16[length]
/// </code>
/// A sparse payload's indices ascend strictly; each is written as its gap after the previous index plus one (the
/// first as itself), a LEB128 varint (<see cref="Varint"/>), so top-1% of a model costs about a byte per index.
/// A dense payload takes 5 + 4·length bytes. Reading checks every count against the bytes left before it allocates,
/// and every value the payload types check (index order, array sizes), so a malformed payload fails with a message
/// that names what is wrong.
/// </summary>
public static class UpdatePayloadCodec
{
    private const byte DenseKind = 1, SparseKind = 2, QuantizedKind = 3, HalfKind = 4;

    /// <summary>Bytes of a dense payload's encoding before its values: kind and length.</summary>
    public const int DensePrefixBytes = 1 + 4;

    /// <summary>Bytes <paramref name="payload"/> encodes to.</summary>
    public static long SizeOf(UpdatePayload payload) => payload switch
    {
        DensePayload d => DensePrefixBytes + 4L * d.Values.Length,
        SparsePayload s => 1 + 4 + 4 + s.IndexBytes + SizeOf(s.Values),
        QuantizedPayload q => 1 + 4 + 1 + 4 + 8L * q.Scales.Length + q.Codes.Length,
        HalfPayload h => 1 + 4 + 2L * h.Values.Length,
        _ => throw Unknown(payload),
    };

    /// <summary>Writes <paramref name="payload"/> at the start of <paramref name="destination"/>; returns the bytes written (<see cref="SizeOf"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int Write(UpdatePayload payload, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(payload);
        long size = SizeOf(payload);
        if (destination.Length < size)
            throw new ArgumentException($"the payload takes {size} bytes, the destination holds {destination.Length}", nameof(destination));
        var w = new Writer(destination);
        switch (payload)
        {
            case DensePayload d:
                w.Byte(DenseKind);
                w.Int(d.Length);
                w.Floats(d.Values);
                break;
            case SparsePayload s:
                w.Byte(SparseKind);
                w.Int(s.Length);
                w.Int(s.Indices.Length);
                w.Gaps(s.Indices);
                w.Skip(Write(s.Values, w.Rest));
                break;
            case QuantizedPayload q:
                w.Byte(QuantizedKind);
                w.Int(q.Length);
                w.Byte((byte)q.Bits);
                w.Int(q.ChunkSize);
                w.Floats(q.Scales);
                w.Floats(q.Offsets);
                q.Codes.CopyTo(w.Take(q.Codes.Length));
                break;
            case HalfPayload h:
                w.Byte(HalfKind);
                w.Int(h.Length);
                w.Halves(h.Values);
                break;
        }
        return w.Position;
    }

    /// <summary>The encoding of <paramref name="payload"/> as a new array.</summary>
    public static byte[] Encode(UpdatePayload payload)
    {
        var bytes = new byte[SizeOf(payload)];
        Write(payload, bytes);
        return bytes;
    }

    /// <summary>
    /// The encoding of <paramref name="payload"/> as consecutive pieces, without copying a dense payload's values: its
    /// 5-byte prefix, then a view of its float32 array. Other kinds come as one encoded array.
    /// </summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> Segments(UpdatePayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload is not DensePayload d || !BitConverter.IsLittleEndian) return [Encode(payload)];
        var prefix = new byte[DensePrefixBytes];
        prefix[0] = DenseKind;
        BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(1), d.Length);
        return [prefix, new FloatBytes(d.Values).Memory];
    }

    /// <summary>Reads a payload that fills <paramref name="source"/> exactly.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a payload: unknown kind, truncated, left over, or an invalid value.</exception>
    public static UpdatePayload Read(ReadOnlySpan<byte> source)
    {
        var payload = Read(source, out int consumed);
        if (consumed != source.Length)
            throw new InvalidDataException($"the update payload ends after {consumed} of {source.Length} bytes");
        return payload;
    }

    /// <summary>Reads a payload from the start of <paramref name="source"/>; <paramref name="consumed"/> says how many bytes it took.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a payload: unknown kind, truncated, or an invalid value.</exception>
    public static UpdatePayload Read(ReadOnlySpan<byte> source, out int consumed)
    {
        var r = new Reader(source);
        byte kind = r.Byte();
        int length = r.Count("length", 0);
        UpdatePayload payload;
        try
        {
            payload = kind switch
            {
                DenseKind => new DensePayload(r.Floats(length)),
                SparseKind => ReadSparse(ref r, length),
                QuantizedKind => ReadQuantized(ref r, length),
                HalfKind => new HalfPayload(r.Halves(length)),
                _ => throw new InvalidDataException($"unknown update payload kind {kind}; this build reads {DenseKind} (dense), {SparseKind} (sparse), {QuantizedKind} (quantized), {HalfKind} (half)"),
            };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"invalid update payload: {e.Message}", e);
        }
        consumed = r.Position;
        return payload;
    }

    private static SparsePayload ReadSparse(ref Reader r, int length)
    {
        // Each index takes at least one byte, and the values at least a kind and a length.
        int count = r.Count("sparse count", 1);
        if (count > length) throw new InvalidDataException($"a sparse payload of length {length} cannot hold {count} values");
        var indices = r.Gaps(count, length);
        var values = Read(r.Rest, out int consumed);
        r.Take(consumed);
        if (values.Length != count) throw new InvalidDataException($"a sparse payload has {count} indices and {values.Length} values");
        return new SparsePayload(length, indices, values);
    }

    private static QuantizedPayload ReadQuantized(ref Reader r, int length)
    {
        int bits = r.Byte();
        if (bits is < 1 or > 8) throw new InvalidDataException($"a quantized payload has 1 to 8 bits per code, this one says {bits}");
        int chunkSize = r.Int();
        if (chunkSize < 1) throw new InvalidDataException($"a quantized payload's chunk size must be ≥ 1, got {chunkSize}");
        int chunks = QuantizedPayload.ChunksOf(length, chunkSize);
        var scales = r.Floats(chunks);
        var offsets = r.Floats(chunks);
        long codeBytes = QuantizedPayload.CodeBytes(length, bits);
        if (codeBytes > r.Remaining)
            throw new InvalidDataException($"truncated: {length} codes of {bits} bits need {codeBytes} bytes, {r.Remaining} remain");
        return new QuantizedPayload(length, bits, chunkSize, scales, offsets, r.Take((int)codeBytes).ToArray());
    }

    private static ArgumentException Unknown(UpdatePayload? payload) =>
        new($"{payload?.GetType().Name ?? "null"} is not a payload kind the codec knows", nameof(payload));

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; }

        public void Byte(byte v) => _buffer[Position++] = v;

        public void Int(int v) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), v);

        public void Floats(ReadOnlySpan<float> v)
        {
            var target = Take(4 * v.Length);
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(v).CopyTo(target);
            else for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(target[(4 * i)..], v[i]);
        }

        public void Halves(ReadOnlySpan<Half> v)
        {
            var target = Take(2 * v.Length);
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(v).CopyTo(target);
            else for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(target[(2 * i)..], v[i]);
        }

        /// <summary>Strictly ascending indices as varint gaps: each index minus the one after the previous index.</summary>
        public void Gaps(ReadOnlySpan<int> indices)
        {
            int floor = 0;
            foreach (int index in indices)
            {
                Position += Varint.Write((uint)(index - floor), _buffer[Position..]);
                floor = index + 1;
            }
        }

        public readonly Span<byte> Rest => _buffer[Position..];

        public void Skip(int n) => Position += n;

        public Span<byte> Take(int n)
        {
            var s = _buffer.Slice(Position, n);
            Position += n;
            return s;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> source)
    {
        private readonly ReadOnlySpan<byte> _source = source;

        public int Position { get; private set; }

        public readonly int Remaining => _source.Length - Position;

        public byte Byte() => Take(1)[0];

        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        /// <summary>A count, checked against the bytes left at <paramref name="bytesPerItem"/> each before anything is allocated.</summary>
        public int Count(string field, int bytesPerItem)
        {
            int n = Int();
            if (n < 0) throw new InvalidDataException($"the update payload's {field} is negative ({n})");
            if ((long)n * bytesPerItem > Remaining)
                throw new InvalidDataException($"truncated: the update payload's {field} {n} needs {(long)n * bytesPerItem} bytes, {Remaining} remain");
            return n;
        }

        public float[] Floats(int n)
        {
            if (4L * n > Remaining) throw new InvalidDataException($"truncated: {n} float32 values need {4L * n} bytes, {Remaining} remain");
            var source = Take(4 * n);
            // Every element is overwritten below, so skip zeroing (the arrays are model-sized).
            var values = GC.AllocateUninitializedArray<float>(n);
            if (BitConverter.IsLittleEndian) source.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            else for (int i = 0; i < n; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
            return values;
        }

        public Half[] Halves(int n)
        {
            if (2L * n > Remaining) throw new InvalidDataException($"truncated: {n} float16 values need {2L * n} bytes, {Remaining} remain");
            var source = Take(2 * n);
            var values = GC.AllocateUninitializedArray<Half>(n);
            if (BitConverter.IsLittleEndian) source.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            else for (int i = 0; i < n; i++) values[i] = BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
            return values;
        }

        /// <summary>The indices <see cref="Writer.Gaps"/> wrote, each checked to lie below <paramref name="length"/>.</summary>
        public int[] Gaps(int count, int length)
        {
            var indices = new int[count];
            long floor = 0;
            for (int i = 0; i < count; i++)
            {
                long index = floor + Varint.Read(_source[Position..], out int consumed);
                Position += consumed;
                if (index >= length) throw new InvalidDataException($"sparse index {i} is {index}, outside [0, {length})");
                indices[i] = (int)index;
                floor = index + 1;
            }
            return indices;
        }

        public readonly ReadOnlySpan<byte> Rest => _source[Position..];

        public ReadOnlySpan<byte> Take(int n)
        {
            if (n > Remaining) throw new InvalidDataException($"truncated: the update payload needs {n} more bytes, {Remaining} remain");
            var s = _source.Slice(Position, n);
            Position += n;
            return s;
        }
    }
}
