using System.Numerics.Tensors;

namespace FedActors.Actors.SecureAggregation;

/// <summary>Words of Z_(2^b) kept in uint: arithmetic wraps modulo 2^32, and a mask of the low b bits reduces to Z_(2^b).</summary>
public static class Modular
{
    /// <summary>Reduces every word modulo 2^<paramref name="bits"/> in place.</summary>
    public static void Reduce(Span<uint> words, int bits)
    {
        if (bits is < 1 or > 32) throw new ArgumentOutOfRangeException(nameof(bits), bits, "b is in 1 … 32");
        if (bits == 32) return;
        TensorPrimitives.BitwiseAnd(words, (1u << bits) - 1, words);
    }
}
