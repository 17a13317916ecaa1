using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// The arithmetic of weighted averages over flat float32 vectors, in place and allocation-free
/// (the role of Flower's <c>aggregate.py</c>). Policy — which updates, which weights — lives elsewhere.
/// </summary>
public static class WeightedAverage
{
    /// <summary>acc ← acc + w·Δ.</summary>
    /// <param name="accumulator">The running weighted sum; updated in place.</param>
    /// <param name="delta">Δ, one client's update.</param>
    /// <param name="weight">w, the update's weight.</param>
    public static void Accumulate(Span<float> accumulator, ReadOnlySpan<float> delta, float weight)
    {
        Vectors.RequireSameLength(accumulator.Length, delta.Length, nameof(delta));
        TensorPrimitives.MultiplyAdd(delta, weight, accumulator, accumulator);
    }

    /// <summary>values ← factor·values.</summary>
    public static void Scale(Span<float> values, float factor) =>
        TensorPrimitives.Multiply(values, factor, values);

    /// <summary>destination ← factor·source.</summary>
    public static void Scale(ReadOnlySpan<float> source, float factor, Span<float> destination)
    {
        Vectors.RequireSameLength(destination.Length, source.Length, nameof(source));
        TensorPrimitives.Multiply(source, factor, destination);
    }

    /// <summary>
    /// destination ← acc + w·Δ in one pass, checking on the way that every sum is finite. Same arithmetic as
    /// <see cref="Accumulate"/> (w·Δ rounded, then added: no fused multiply-add), so the sums are bit-identical.
    /// </summary>
    /// <remarks>
    /// Reads Δ once instead of twice (a separate finiteness pass and then the accumulate): aggregation is bound
    /// by memory traffic, and the fold touches each byte of the update once, as a copy does. With a second buffer
    /// as destination a rejected update leaves the accumulator as it was; in place (destination = accumulator, as
    /// <see cref="UpdateBuffer"/> folds) a rejection leaves it modified, and the caller must rebuild it.
    /// </remarks>
    /// <param name="accumulator">The running weighted sum; read only unless it is also the destination.</param>
    /// <param name="delta">Δ, one client's update.</param>
    /// <param name="weight">w, the update's weight.</param>
    /// <param name="destination">Receives acc + w·Δ; may be the accumulator itself when a rejection may leave it modified. Unspecified when false is returned.</param>
    /// <returns>
    /// False when a sum is NaN or ±∞: Δ held a NaN or ±∞, or a finite Δ overflowed the sum (a finite accumulator and
    /// weight make a non-finite sum only so).
    /// </returns>
    public static bool TryAccumulateFinite(ReadOnlySpan<float> accumulator, ReadOnlySpan<float> delta, float weight, Span<float> destination)
    {
        Vectors.RequireSameLength(accumulator.Length, delta.Length, nameof(delta));
        Vectors.RequireSameLength(accumulator.Length, destination.Length, nameof(destination));
        int n = delta.Length;
        ref float a = ref MemoryMarshal.GetReference(accumulator);
        ref float d = ref MemoryMarshal.GetReference(delta);
        ref float o = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        // x − x is +0 (all bits clear) for every finite x and NaN for NaN and ±∞: OR-ing those bits over the sums
        // leaves a non-zero lane exactly when some sum is not finite. One subtract and one OR per vector.
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var w = Vector512.Create(weight);
            var bad = Vector512<float>.Zero;
            // Two vectors per iteration: the loads of the next pair do not wait on this pair's stores.
            for (; i <= n - 2 * Vector512<float>.Count; i += 2 * Vector512<float>.Count)
            {
                var x0 = Vector512.LoadUnsafe(ref d, (nuint)i);
                var x1 = Vector512.LoadUnsafe(ref d, (nuint)(i + Vector512<float>.Count));
                var s0 = Vector512.LoadUnsafe(ref a, (nuint)i) + x0 * w;
                var s1 = Vector512.LoadUnsafe(ref a, (nuint)(i + Vector512<float>.Count)) + x1 * w;
                bad |= (s0 - s0) | (s1 - s1);
                s0.StoreUnsafe(ref o, (nuint)i);
                s1.StoreUnsafe(ref o, (nuint)(i + Vector512<float>.Count));
            }
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var sum = Vector512.LoadUnsafe(ref a, (nuint)i) + Vector512.LoadUnsafe(ref d, (nuint)i) * w;
                bad |= sum - sum;
                sum.StoreUnsafe(ref o, (nuint)i);
            }
            if (bad != Vector512<float>.Zero) return false;
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            var w = Vector256.Create(weight);
            var bad = Vector256<float>.Zero;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var sum = Vector256.LoadUnsafe(ref a, (nuint)i) + Vector256.LoadUnsafe(ref d, (nuint)i) * w;
                bad |= sum - sum;
                sum.StoreUnsafe(ref o, (nuint)i);
            }
            if (bad != Vector256<float>.Zero) return false;
        }
        for (; i < n; i++)
        {
            float sum = Unsafe.Add(ref a, i) + Unsafe.Add(ref d, i) * weight;
            if (!float.IsFinite(sum)) return false;
            Unsafe.Add(ref o, i) = sum;
        }
        return true;
    }

    /// <summary>destination ← factor·values, then values ← 0, in one pass (a flush that empties its accumulator).</summary>
    public static void ScaleAndClear(Span<float> values, float factor, Span<float> destination)
    {
        Vectors.RequireSameLength(values.Length, destination.Length, nameof(destination));
        Vectors.RequireNoOverlap(destination, values, nameof(destination), nameof(values));
        int n = values.Length;
        ref float v = ref MemoryMarshal.GetReference(values);
        ref float o = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var f = Vector512.Create(factor);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                (Vector512.LoadUnsafe(ref v, (nuint)i) * f).StoreUnsafe(ref o, (nuint)i);
                Vector512<float>.Zero.StoreUnsafe(ref v, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var f = Vector256.Create(factor);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                (Vector256.LoadUnsafe(ref v, (nuint)i) * f).StoreUnsafe(ref o, (nuint)i);
                Vector256<float>.Zero.StoreUnsafe(ref v, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref o, i) = Unsafe.Add(ref v, i) * factor;
            Unsafe.Add(ref v, i) = 0;
        }
    }
}
