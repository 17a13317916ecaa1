namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// Arithmetic in the prime field GF(p), p = 2^61 − 1 (a Mersenne prime), where Shamir's shares live. Reduction of a
/// 122-bit product is two shifts and adds, with no division; values are canonical, in [0, p).
/// </summary>
public static class MersenneField
{
    /// <summary>The modulus p = 2^61 − 1.</summary>
    public const ulong Prime = (1UL << 61) - 1;

    /// <summary>Bytes of secret one element carries: 7 bytes (56 bits) always fit below p.</summary>
    public const int BytesPerElement = 7;

    /// <summary>(a + b) mod p, for a, b in [0, p).</summary>
    public static ulong Add(ulong a, ulong b)
    {
        ulong s = a + b; // < 2^62: no overflow
        return s >= Prime ? s - Prime : s;
    }

    /// <summary>(a − b) mod p, for a, b in [0, p).</summary>
    public static ulong Subtract(ulong a, ulong b) => a >= b ? a - b : a + Prime - b;

    /// <summary>(a · b) mod p, for a, b in [0, p).</summary>
    public static ulong Multiply(ulong a, ulong b)
    {
        UInt128 product = (UInt128)a * b; // < 2^122
        // x = hi · 2^61 + lo ≡ hi + lo (mod 2^61 − 1).
        ulong lo = (ulong)product & Prime;
        ulong hi = (ulong)(product >> 61);
        return Add(lo, hi >= Prime ? hi - Prime : hi);
    }

    /// <summary>a^e mod p, by square and multiply.</summary>
    public static ulong Power(ulong a, ulong e)
    {
        ulong result = 1, b = a;
        while (e > 0)
        {
            if ((e & 1) != 0) result = Multiply(result, b);
            b = Multiply(b, b);
            e >>= 1;
        }
        return result;
    }

    /// <summary>The inverse of a ≠ 0: a^(p − 2) (Fermat).</summary>
    /// <exception cref="DivideByZeroException">a is 0.</exception>
    public static ulong Inverse(ulong a) => a == 0 ? throw new DivideByZeroException("0 has no inverse in GF(2^61 - 1)") : Power(a, Prime - 2);

    /// <summary>A uniform element of [0, p) from 8 random bytes, by rejection (the chance of a redraw is 2^−61 · 7).</summary>
    public static bool TryFromRandom(ReadOnlySpan<byte> eightBytes, out ulong value)
    {
        value = BitConverter.ToUInt64(eightBytes) & ((1UL << 61) - 1);
        return value < Prime;
    }
}
