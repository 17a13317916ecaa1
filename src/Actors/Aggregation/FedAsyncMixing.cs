using System.Numerics.Tensors;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// FedAsync's server update (Xie et al. 2019, "Asynchronous Federated Optimization", Algorithm 1):
/// x_t = (1 − α_t)·x_{t−1} + α_t·x_new with α_t = α·s(τ). Clients send Δ = local − base, so
/// x_new = x_base + Δ, and the coordinator must keep the base version's weights until the update
/// arrives.
/// </summary>
public static class FedAsyncMixing
{
    /// <summary>α_t = α·s(τ), the mixing weight of an update with staleness τ.</summary>
    /// <param name="alpha">α, the mixing hyperparameter; in (0, 1].</param>
    /// <param name="staleness">s, the staleness function.</param>
    /// <param name="tau">τ, the update's staleness.</param>
    public static double Alpha(double alpha, IStalenessWeight staleness, int tau)
    {
        if (!(alpha > 0 && alpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α (FedAsync mixing) must be in (0, 1]");
        ArgumentNullException.ThrowIfNull(staleness);
        return alpha * staleness.Weight(tau);
    }

    /// <summary>
    /// next = (1 − α_t)·current + α_t·(base + Δ). Allocation-free. <paramref name="next"/> may be
    /// <paramref name="current"/> itself but must not overlap <paramref name="baseWeights"/> or
    /// <paramref name="delta"/>.
    /// </summary>
    /// <param name="current">x_{t−1}, the current global weights.</param>
    /// <param name="baseWeights">x_base, the version the client trained from.</param>
    /// <param name="delta">Δ = local − base.</param>
    /// <param name="alphaT">α_t, in [0, 1].</param>
    /// <param name="next">Receives x_t.</param>
    public static void Apply(
        ReadOnlySpan<float> current, ReadOnlySpan<float> baseWeights, ReadOnlySpan<float> delta, double alphaT, Span<float> next)
    {
        if (!(alphaT >= 0 && alphaT <= 1))
            throw new ArgumentOutOfRangeException(nameof(alphaT), alphaT, "α_t must be in [0, 1]");
        Vectors.RequireSameLength(current.Length, baseWeights.Length, nameof(baseWeights));
        Vectors.RequireSameLength(current.Length, delta.Length, nameof(delta));
        Vectors.RequireSameLength(current.Length, next.Length, nameof(next));
        Vectors.RequireNoOverlap(next, baseWeights, nameof(next), nameof(baseWeights));
        Vectors.RequireNoOverlap(next, delta, nameof(next), nameof(delta));
        if (current.Overlaps(next, out int offset) && offset != 0)
            throw new ArgumentException("next may be current itself but must not partly overlap it", nameof(next));

        float a = (float)alphaT;
        // current is read once, first, so that next may alias it.
        TensorPrimitives.Multiply(current, 1f - a, next);
        TensorPrimitives.MultiplyAdd(baseWeights, a, next, next);
        TensorPrimitives.MultiplyAdd(delta, a, next, next);
    }
}
