namespace FedActors.Training;

/// <summary>
/// A small, fast, reproducible random stream (xoshiro256**), keyed by (seed, stream, purpose).
/// </summary>
/// <remarks>
/// Every random decision in a run derives its own stream from the master seed, the entity it concerns
/// (a client id, a model version) and a purpose tag, so results never depend on the order in which
/// streams are consumed, on thread scheduling, or on how many clients exist. <see cref="System.Random"/>
/// is avoided because its algorithm is not specified across .NET versions.
/// </remarks>
public sealed class DeterministicRandom : IUniformSource, INormalSource
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpareNormal;

    private DeterministicRandom(ulong seed)
    {
        // SplitMix64 expands one 64-bit key into a full, never all-zero xoshiro state.
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    /// <summary>Creates the stream for <paramref name="stream"/> (e.g. a client id) and <paramref name="purpose"/> under a master seed.</summary>
    public static DeterministicRandom For(ulong seed, ulong stream, ulong purpose)
    {
        ulong key = seed;
        key = Mix(key ^ Mix(stream + 0x632BE59BD9B4E019UL));
        key = Mix(key ^ Mix(purpose + 0x8CB92BA72F3D8DD7UL));
        return new DeterministicRandom(key);
    }

    /// <summary>Next uniformly distributed 64-bit value.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitRotate(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitRotate(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        // Lemire's multiply-shift with rejection: exact and branch-light.
        ulong range = (ulong)maxExclusive;
        ulong threshold = (0UL - range) % range;
        while (true)
        {
            ulong x = NextUInt64();
            UInt128 m = (UInt128)x * range;
            if ((ulong)m >= threshold)
                return (int)(ulong)(m >> 64);
        }
    }

    /// <summary>Standard normal N(0, 1) (Marsaglia polar method).</summary>
    public double NextNormal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }
        (double first, _spareNormal) = PolarMethod.NormalPair(this);
        _hasSpareNormal = true;
        return first;
    }

    /// <summary>Normal with the given mean and standard deviation.</summary>
    public double NextNormal(double mean, double stdDev) => mean + stdDev * NextNormal();

    /// <summary>Log-normal: exp of N(<paramref name="mu"/>, <paramref name="sigma"/>), as numpy's <c>lognormal(mu, sigma)</c>.</summary>
    public double NextLogNormal(double mu, double sigma) => Math.Exp(NextNormal(mu, sigma));

    /// <summary>Exponential with the given mean.</summary>
    public double NextExponential(double mean) => -mean * Math.Log(1 - NextDouble());

    /// <summary>Gamma(<paramref name="shape"/>, 1) (Marsaglia–Tsang; boosted for shape &lt; 1).</summary>
    public double NextGamma(double shape)
    {
        if (!(shape > 0) || double.IsInfinity(shape))
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "Gamma shape must be a positive finite number.");
        if (shape < 1)
        {
            // Gamma(a) = Gamma(a + 1) * U^(1/a); computed in log space so tiny shapes do not underflow to 0 too early.
            double g = NextGamma(shape + 1);
            double u = 1 - NextDouble();
            return g * Math.Exp(Math.Log(u) / shape);
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextNormal();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1 - NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
                return d * v;
        }
    }

    /// <summary>Fills <paramref name="destination"/> with a Dirichlet(α, …, α) draw.</summary>
    public void NextDirichlet(double alpha, Span<double> destination)
    {
        double sum = 0;
        for (int i = 0; i < destination.Length; i++)
            sum += destination[i] = NextGamma(alpha);
        if (sum == 0)
        {
            // All gammas underflowed (alpha tiny): the limit of Dirichlet(α→0) is a one-hot vector.
            destination.Clear();
            destination[NextInt(destination.Length)] = 1;
            return;
        }
        for (int i = 0; i < destination.Length; i++)
            destination[i] /= sum;
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// Puts a uniformly drawn ordered sample of <paramref name="count"/> of the items in the first <paramref name="count"/>
    /// places (the first <paramref name="count"/> swaps of a forward Fisher–Yates shuffle); the rest stay a permutation
    /// of the others. Costs O(count), not O(items): for a training that uses only the first few items of a long list.
    /// </summary>
    public void ShufflePrefix<T>(Span<T> items, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, items.Length);
        for (int i = 0; i < count && i < items.Length - 1; i++)
        {
            int j = i + NextInt(items.Length - i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong BitRotate(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong SplitMix(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }
}
