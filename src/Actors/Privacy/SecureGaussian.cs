using System.Buffers.Binary;
using System.Security.Cryptography;
using FedActors.Training;

namespace FedActors.Actors.Privacy;

/// <summary>
/// Standard normal samples from the operating system's cryptographic random source
/// (<see cref="RandomNumberGenerator"/>), for DP noise that nobody holding the run's seed can reproduce and subtract.
/// </summary>
/// <remarks>
/// Marsaglia's polar method on 53-bit uniforms, as the seeded stream uses. Floating-point samplers leak through their
/// low-order bits in theory (Mironov 2012); a discrete Gaussian would close that, and is not built. Holds a refill buffer,
/// so drawing allocates nothing; not thread-safe.
/// </remarks>
public sealed class SecureGaussian : IUniformSource, INormalSource
{
    private readonly byte[] _bytes = new byte[8 * 1024];
    private int _next;
    private double _spare;
    private bool _hasSpare;

    /// <summary>A source whose first draw fills its buffer.</summary>
    public SecureGaussian() => _next = _bytes.Length;

    /// <summary>A sample of N(0, 1).</summary>
    public double NextNormal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        (double first, _spare) = PolarMethod.NormalPair(this);
        _hasSpare = true;
        return first;
    }

    /// <summary>A uniform double in [0, 1) from 53 random bits.</summary>
    public double NextDouble()
    {
        if (_next == _bytes.Length)
        {
            RandomNumberGenerator.Fill(_bytes);
            _next = 0;
        }
        ulong bits = BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan(_next));
        _next += 8;
        return (bits >> 11) * (1.0 / (1UL << 53));
    }
}
