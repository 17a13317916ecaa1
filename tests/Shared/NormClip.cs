using System.Numerics.Tensors;
using FedActors.Actors.Aggregation;

namespace FedActors.Tests.Shared;

/// <summary>
/// A test-only wrapper: scales each update to an L2 norm of at most C before the strategy inside sees it, by setting
/// <see cref="ClientContribution.Scale"/> to min(1, C / ‖λΔ‖) · λ, so Δ's array stays as the client sent it.
/// </summary>
/// <param name="inner">The strategy wrapped.</param>
/// <param name="bound">C, the norm bound; positive.</param>
public sealed class NormClip(IAggregationStrategy inner, double bound) : StrategyWrapper(inner)
{
    /// <inheritdoc />
    public override Admission Offer(in ClientContribution update)
    {
        double norm = update.Scale * (double)TensorPrimitives.Norm<float>(update.Delta);
        if (!(norm > bound)) return Inner.Offer(update);
        return Inner.Offer(update with { Scale = (float)(update.Scale * (bound / norm)) });
    }
}

/// <summary>The settings of <see cref="NormClip"/>.</summary>
/// <param name="Bound">C; positive.</param>
public sealed record NormClipSettings(double Bound) : IStrategyWrapperSettings
{
    /// <summary>The wrapper's name.</summary>
    public const string WrapperName = "norm-clip";

    /// <inheritdoc />
    public string Name => WrapperName;

    /// <inheritdoc />
    public IAggregationStrategy Wrap(IAggregationStrategy inner, int dimension) => new NormClip(inner, Bound);
}
