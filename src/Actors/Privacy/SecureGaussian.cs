using System.Buffers.Binary;
using System.Security.Cryptography;

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
public sealed class SecureGaussian
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
        double u, v, s;
        do
        {
            u = 2 * NextUniform() - 1;
            v = 2 * NextUniform() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        (_spare, _hasSpare) = (v * f, true);
        return u * f;
    }

    private double NextUniform()
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
