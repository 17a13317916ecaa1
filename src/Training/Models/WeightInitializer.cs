namespace FedActors.Training.Models;

/// <summary>
/// Deterministic initial weights. Uses PyTorch's default rule for Linear and Conv2d layers
/// (weights by Kaiming-uniform with a = √5 and biases alike, both U(−1/√fan_in, 1/√fan_in)), but draws
/// from our own seeded generator, so the initial model depends only on the seed and not on libtorch's
/// global generator or the order in which threads created modules.
/// </summary>
public static class WeightInitializer
{
    /// <summary>Initial flat weights for <paramref name="layout"/> from <paramref name="seed"/>.</summary>
    public static float[] Initialize(ParameterLayout layout, ulong seed)
    {
        var weights = new float[layout.TotalCount];
        var rng = DeterministicRandom.For(seed, 0, Purpose);
        long fanIn = 1;
        foreach (var slice in layout.Slices)
        {
            // A weight [out, in, k...] sets fan_in = in·k…; the bias that follows shares it.
            if (slice.Shape.Length >= 2) fanIn = slice.Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            double bound = 1.0 / Math.Sqrt(fanIn);
            var span = weights.AsSpan(slice.Offset, slice.Count);
            for (int i = 0; i < span.Length; i++) span[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
        }
        return weights;
    }

    /// <summary>The purpose tag of the initialization stream (see <see cref="DeterministicRandom"/>).</summary>
    private const ulong Purpose = 0x1D17;
}
