using System.Numerics.Tensors;
using FedActors.Actors.Updates;
using FedActors.Training;

namespace FedActors.Actors.Compression;

/// <summary>
/// <c>q8</c>, <c>q4</c> (any of <c>q1</c>…<c>q8</c>): values quantized to b-bit codes chunk by chunk, with stochastic
/// rounding so that the decoded value is unbiased. In a chunk with smallest value m and largest M, the step is
/// s = (M − m) / (2^b − 1) and value x becomes code ⌊(x − m)/s + u⌋ with u uniform in [0, 1): the code rounds up with
/// probability equal to the fraction it lies above the lower level, so E[m + code·s] = x (Alistarh et al. 2017's QSGD
/// with min–max scaling, as FedPAQ and FLSim use it).
/// </summary>
/// <remarks>
/// <para>With a rotation (<c>q4-hadamard</c>) each chunk of m values (m a power of two, the last one padded with zeros)
/// is first rotated by a randomized Hadamard transform, which spreads a few large values over the chunk and so narrows
/// the range the codes must cover; the decoder undoes the rotation after dequantizing. Being orthogonal and linear, it
/// keeps the decoded update unbiased.</para>
/// <para>The uniform draws come from the run's seed and the job (<see cref="TransformContext"/>), so a retried job encodes to
/// the same bytes and a resumed run to the same model. One scratch chunk per instance keeps encoding allocation-free
/// apart from the payload's own arrays; an instance serves one trainer, so it is not thread-safe.</para>
/// </remarks>
public sealed class StochasticQuantizer : IUpdateTransform
{
    private const ulong Purpose = 0x7174_7A65_6E63_6F64; // "qtzencod"
    private const ulong RotationPurpose = 0x7174_7A72_6F74_6174; // "qtzrotat"
    private readonly int _levels;
    private readonly float[] _scratch, _uniform;
    private readonly RandomizedHadamard? _rotation;
    private float[] _rotated = [];

    /// <summary>Creates a quantizer to <paramref name="bits"/> bits with <paramref name="chunkSize"/> values per scale.</summary>
    /// <param name="bits">Bits per code, 1 to 8.</param>
    /// <param name="chunkSize">Values per chunk; a power of two when <paramref name="rotate"/>.</param>
    /// <param name="rotate">Rotate each chunk with a randomized Hadamard transform before quantizing it.</param>
    /// <exception cref="ArgumentException">The bits are outside 1…8, the chunk size is below 1, or not a power of two for a rotation.</exception>
    public StochasticQuantizer(int bits, int chunkSize, bool rotate = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        (Bits, ChunkSize, _levels) = (bits, chunkSize, (1 << bits) - 1);
        _scratch = new float[chunkSize];
        _uniform = new float[chunkSize];
        if (rotate) _rotation = new RandomizedHadamard(chunkSize);
    }

    /// <summary>True when each chunk is rotated (randomized Hadamard) before it is quantized.</summary>
    public bool Rotates => _rotation is not null;

    /// <summary>Bits per code.</summary>
    public int Bits { get; }

    /// <summary>Values per chunk, each chunk with its own offset and step.</summary>
    public int ChunkSize { get; }

    /// <inheritdoc />
    public string Name => NameOf(Bits, Rotates);

    /// <summary>The codec name for <paramref name="bits"/> bits: <c>q8</c>, <c>q4</c>, …; <c>q4-hadamard</c> with a rotation.</summary>
    public static string NameOf(int bits, bool rotate = false) => rotate ? $"q{bits}-hadamard" : $"q{bits}";

    /// <inheritdoc />
    public UpdatePayload Encode(UpdatePayload update, in TransformContext context)
    {
        var random = DeterministicRandom.For(context.Seed, unchecked((ulong)context.JobId), Purpose);
        if (_rotation is null)
            return CompressedValues.Map(update, (this, random), static (values, s) => s.Item1.Quantize(CompressedValues.RequireDense(values, s.Item1.Name,
                "put it after a sparsifier, never after another value codec").Values, s.random));
        // A rotated chunk needs all its m coefficients to be undone, so the last chunk is padded with zeros and the
        // payload holds whole chunks: of the whole update only, never of a sparsifier's values.
        var dense = CompressedValues.RequireDense(update, Name, "a rotated quantizer takes the whole update: no sparsifier before it");
        int n = dense.Length, padded = QuantizedPayload.ChunksOf(n, ChunkSize) * ChunkSize;
        if (_rotated.Length != padded) _rotated = new float[padded];
        dense.Values.CopyTo(_rotated, 0);
        _rotated.AsSpan(n).Clear();
        var signs = DeterministicRandom.For(context.Seed, unchecked((ulong)context.JobId), RotationPurpose);
        for (int start = 0; start < padded; start += ChunkSize) _rotation.Rotate(_rotated.AsSpan(start, ChunkSize), signs);
        return Quantize(_rotated, random);
    }

    private QuantizedPayload Quantize(float[] x, DeterministicRandom random)
    {
        int n = x.Length, chunks = QuantizedPayload.ChunksOf(n, ChunkSize);
        var scales = new float[chunks];
        var offsets = new float[chunks];
        var codes = new byte[QuantizedPayload.CodeBytes(n, Bits)];
        for (int c = 0, start = 0; start < n; c++, start += ChunkSize)
        {
            var chunk = x.AsSpan(start, Math.Min(ChunkSize, n - start));
            var work = _scratch.AsSpan(0, chunk.Length);
            float min = TensorPrimitives.Min(chunk), max = TensorPrimitives.Max(chunk);
            float step = (max - min) / _levels;
            (offsets[c], scales[c]) = (min, step);
            // A chunk of one value, or of infinities or NaN (which the server must reject, not receive as zeros),
            // keeps all codes 0: its offset carries the value.
            if (!(step > 0) || !float.IsFinite(step))
            {
                if (!float.IsFinite(min) || !float.IsFinite(max)) scales[c] = float.NaN;
                continue;
            }
            var u = _uniform.AsSpan(0, chunk.Length);
            for (int i = 0; i < u.Length; i++) u[i] = (random.NextUInt64() >> 40) * (1f / (1 << 24));
            // code = min(⌊(x − m)/s + u⌋, levels): x − m ≥ 0, and (M − m)/s may round a hair above the top level.
            TensorPrimitives.Subtract(chunk, min, work);
            TensorPrimitives.Multiply(work, 1f / step, work);
            TensorPrimitives.Add(work, u, work);
            TensorPrimitives.Floor(work, work);
            TensorPrimitives.Min(work, (float)_levels, work);
            Pack(work, start, codes);
        }
        return new QuantizedPayload(n, Bits, ChunkSize, scales, offsets, codes);
    }

    /// <summary>Writes the codes of values <paramref name="start"/>… (whole numbers in [0, levels]) into the packed array.</summary>
    private void Pack(ReadOnlySpan<float> levels, int start, byte[] codes)
    {
        if (Bits == 8)
        {
            TensorPrimitives.ConvertTruncating<float, byte>(levels, codes.AsSpan(start, levels.Length));
            return;
        }
        for (int i = 0; i < levels.Length; i++)
        {
            long bit = (long)(start + i) * Bits;
            int b = (int)(bit >> 3), shift = (int)(bit & 7);
            int code = (int)levels[i] << shift;
            codes[b] |= (byte)code;
            if (shift + Bits > 8) codes[b + 1] |= (byte)(code >> 8);
        }
    }

    /// <inheritdoc />
    public UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays)
    {
        if (_rotation is null) return CompressedValues.Map(payload, (this, arrays), static (values, s) => s.Item1.Dequantize(values, s.arrays));
        int n = context.Dimension, padded = QuantizedPayload.ChunksOf(n, ChunkSize) * ChunkSize;
        if (payload is not QuantizedPayload { ChunkSize: var chunk, Length: var length } || chunk != ChunkSize || length != padded)
            throw new InvalidDataException($"{Name} decodes {padded} rotated values in chunks of {ChunkSize} for a model of {n}, not {Describe(payload)}");
        // Dequantized into the instance's scratch, unrotated there, and only the model's n values copied out.
        if (_rotated.Length != padded) _rotated = new float[padded];
        Validated(payload).CopyTo(_rotated);
        var signs = DeterministicRandom.For(context.Seed, unchecked((ulong)context.JobId), RotationPurpose);
        for (int start = 0; start < padded; start += ChunkSize) _rotation.Unrotate(_rotated.AsSpan(start, ChunkSize), signs);
        var delta = CompressedValues.Rent(n, arrays);
        _rotated.AsSpan(0, n).CopyTo(delta);
        return new DensePayload(delta);
    }

    private static string Describe(UpdatePayload p) => p is QuantizedPayload q ? $"{q.Length} values in chunks of {q.ChunkSize}" : p.GetType().Name;

    private DensePayload Dequantize(UpdatePayload values, DeltaBufferPool? arrays)
    {
        var q = Validated(values);
        var dense = CompressedValues.Rent(q.Length, arrays);
        q.CopyTo(dense);
        return new DensePayload(dense);
    }

    /// <summary><paramref name="values"/> as codes this quantizer makes: its bit width, finite offsets and steps ≥ 0.</summary>
    private QuantizedPayload Validated(UpdatePayload values)
    {
        var q = values as QuantizedPayload ?? throw new InvalidDataException($"{Name} decodes quantized values, not {values.GetType().Name}");
        if (q.Bits != Bits) throw new InvalidDataException($"{Name} decodes {Bits}-bit codes, the update has {q.Bits}-bit codes");
        for (int c = 0; c < q.Scales.Length; c++)
            if (!float.IsFinite(q.Scales[c]) || q.Scales[c] < 0 || !float.IsFinite(q.Offsets[c]))
                throw new InvalidDataException($"{Name}: chunk {c} has step {q.Scales[c]} and offset {q.Offsets[c]}; both must be finite and the step ≥ 0");
        return q;
    }
}

/// <summary>The settings of <see cref="StochasticQuantizer"/>.</summary>
/// <param name="Bits">Bits per code, 1 to 8.</param>
/// <param name="ChunkSize">Values per chunk (<c>fedactors.compression.quantize-chunk-size</c>).</param>
/// <param name="Rotate">Rotate each chunk (randomized Hadamard) before quantizing: <c>q4-hadamard</c>.</param>
public sealed record QuantizerSettings(int Bits, int ChunkSize, bool Rotate = false) : IUpdateTransformSettings
{
    /// <inheritdoc />
    public string Name => StochasticQuantizer.NameOf(Bits, Rotate);

    /// <inheritdoc />
    public IUpdateTransform Create() => new StochasticQuantizer(Bits, ChunkSize, Rotate);
}
