using System.Numerics.Tensors;
using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// Norm bounding (Sun et al. 2019, "Can You Really Backdoor Federated Learning?"): the server scales every update whose
/// L2 norm exceeds M down to M before the strategy inside sees it, so no single client (a boosted, model-replacing update)
/// can move a step further than an honest one. The update's array stays as it arrived: the bound goes into
/// <see cref="ClientContribution.Scale"/>.
/// </summary>
/// <param name="inner">The strategy wrapped.</param>
/// <param name="bound">M, positive.</param>
public sealed class NormBound(IAggregationStrategy inner, double bound) : StrategyWrapper(inner)
{
    /// <summary>Updates scaled down since the start (for reports).</summary>
    public long Bounded { get; private set; }

    /// <inheritdoc />
    public override Admission Offer(in ClientContribution update)
    {
        double norm = update.Scale * (double)TensorPrimitives.Norm<float>(update.Delta);
        // NaN passes through unscaled: the strategy refuses a non-finite update as it would without the bound.
        if (!(norm > bound)) return Inner.Offer(update);
        var admission = Inner.Offer(update with { Scale = (float)(update.Scale * (bound / norm)) });
        if (admission.Kind == AdmissionKind.Accepted) Bounded++;
        return admission;
    }
}

/// <summary>The settings of <see cref="NormBound"/> (<c>fedactors.server.norm-bound</c>).</summary>
/// <param name="Bound">M, positive.</param>
public sealed record NormBoundSettings(double Bound) : IStrategyWrapperSettings
{
    /// <summary>The wrapper's name.</summary>
    public const string WrapperName = "norm-bound";

    /// <inheritdoc />
    public string Name => WrapperName;

    /// <inheritdoc />
    public IAggregationStrategy Wrap(IAggregationStrategy inner, int dimension) => new NormBound(inner, Bound);

    /// <summary>Reads <c>fedactors.server.norm-bound</c>: null leaves the wrapper off.</summary>
    public static NormBoundSettings? Create(Config config) =>
        new ConfigReader(config, "fedactors.server").OptionalDouble("norm-bound", minExclusive: 0) is double m ? new NormBoundSettings(m) : null;
}
