using System.Numerics.Tensors;

namespace FedActors.Actors.Aggregation;

/// <summary>Diagnostics and helpers over flat float32 vectors; allocation-free.</summary>
public static class Vectors
{
    /// <summary>‖x‖₂, the Euclidean norm.</summary>
    public static float L2Norm(ReadOnlySpan<float> x) => TensorPrimitives.Norm(x);

    /// <summary>cos(x, y) = x·y / (‖x‖‖y‖); 0 when either vector is zero (rather than NaN).</summary>
    public static float CosineSimilarity(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        RequireSameLength(x.Length, y.Length, nameof(y));
        float norms = TensorPrimitives.Norm(x) * TensorPrimitives.Norm(y);
        return norms == 0f ? 0f : TensorPrimitives.Dot(x, y) / norms;
    }

    /// <summary>Δ ← local − global: a client's update relative to the model it started from.</summary>
    public static void Difference(ReadOnlySpan<float> local, ReadOnlySpan<float> global, Span<float> delta)
    {
        RequireSameLength(local.Length, global.Length, nameof(global));
        RequireSameLength(local.Length, delta.Length, nameof(delta));
        TensorPrimitives.Subtract(local, global, delta);
    }

    /// <summary>True when every value is finite (no NaN or ±∞).</summary>
    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        // One vectorized pass decides the common case: any NaN or ∞ makes x·x non-finite.
        if (float.IsFinite(TensorPrimitives.Dot(x, x))) return true;
        // x·x also overflows on large finite values, so only a per-value check can reject.
        foreach (float v in x)
            if (!float.IsFinite(v)) return false;
        return true;
    }

    internal static void RequireSameLength(int expected, int actual, string name)
    {
        if (expected != actual)
            throw new ArgumentException($"vector lengths differ: expected {expected}, got {actual}", name);
    }

    internal static void RequireNoOverlap(ReadOnlySpan<float> output, ReadOnlySpan<float> input, string outputName, string inputName)
    {
        if (output.Overlaps(input))
            throw new ArgumentException($"{outputName} must not overlap {inputName}", outputName);
    }
}
