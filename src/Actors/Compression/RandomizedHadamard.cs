using System.Numerics.Tensors;
using FedActors.Training;

namespace FedActors.Actors.Compression;

/// <summary>
/// The randomized Hadamard rotation y = H·D·x / √m of one chunk of m values (m a power of two): D flips signs at
/// random, H is the Walsh–Hadamard matrix. It is orthogonal, so it keeps the chunk's norm, and it spreads a few large
/// values over the whole chunk, which narrows the range a quantizer must cover (Suresh et al. 2017; EDEN and DRIVE,
/// Vargaftik et al. 2021–22). The signs come from a seeded stream that the encoder and the decoder both replay.
/// </summary>
internal sealed class RandomizedHadamard
{
    private readonly float[] _scratch;
    private readonly int _m;

    /// <summary>A rotation of chunks of <paramref name="m"/> values.</summary>
    /// <exception cref="ArgumentException"><paramref name="m"/> is not a power of two.</exception>
    public RandomizedHadamard(int m)
    {
        if (m < 1 || (m & (m - 1)) != 0) throw new ArgumentException($"a Hadamard rotation needs a power-of-two chunk, not {m}", nameof(m));
        _m = m;
        _scratch = new float[m];
    }

    /// <summary>Rotates <paramref name="chunk"/> (m values) in place, drawing its signs from <paramref name="signs"/>.</summary>
    public void Rotate(Span<float> chunk, DeterministicRandom signs)
    {
        FlipSigns(chunk, signs);
        Transform(chunk);
    }

    /// <summary>Undoes <see cref="Rotate"/> in place, drawing the same signs from a stream in the same state.</summary>
    public void Unrotate(Span<float> chunk, DeterministicRandom signs)
    {
        // H/√m is its own inverse, and D is too.
        Transform(chunk);
        FlipSigns(chunk, signs);
    }

    private void FlipSigns(Span<float> chunk, DeterministicRandom signs)
    {
        for (int i = 0; i < _m; i += 64)
        {
            ulong bits = signs.NextUInt64();
            for (int j = i; j < Math.Min(_m, i + 64); j++, bits >>= 1)
                if ((bits & 1) != 0) chunk[j] = -chunk[j];
        }
    }

    /// <summary>The orthonormal fast Walsh–Hadamard transform: log2(m) butterfly passes, then 1/√m.</summary>
    private void Transform(Span<float> x)
    {
        for (int h = 1; h < _m; h <<= 1)
        {
            for (int i = 0; i < _m; i += 2 * h)
            {
                var a = x.Slice(i, h);
                var b = x.Slice(i + h, h);
                if (h < 8)
                {
                    for (int j = 0; j < h; j++) (a[j], b[j]) = (a[j] + b[j], a[j] - b[j]);
                    continue;
                }
                var sum = _scratch.AsSpan(0, h);
                TensorPrimitives.Add(a, b, sum);
                TensorPrimitives.Subtract(a, b, b);
                sum.CopyTo(a);
            }
        }
        TensorPrimitives.Multiply(x, 1f / MathF.Sqrt(_m), x);
    }
}
