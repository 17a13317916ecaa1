using System.Numerics.Tensors;

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
}
