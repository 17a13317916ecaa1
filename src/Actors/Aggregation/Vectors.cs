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

    /// <summary>
    /// ‖x − y‖², vectorized in float32, or summed in float64 when float32 overflows (finite updates of a diverging
    /// model can be 10¹⁹ apart), so the result is finite for any finite inputs.
    /// </summary>
    internal static double SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double d = TensorPrimitives.Distance<float>(x, y);
        if (double.IsFinite(d)) return d * d;
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = (double)x[i] - y[i];
            sum += e * e;
        }
        return sum;
    }

    /// <summary>‖x‖, as <see cref="SquaredDistance"/> does: float32, or float64 when float32 overflows.</summary>
    internal static double Norm(ReadOnlySpan<float> x)
    {
        double n = TensorPrimitives.Norm<float>(x);
        if (double.IsFinite(n)) return n;
        double sum = 0;
        foreach (var v in x) sum += (double)v * v;
        return Math.Sqrt(sum);
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
