namespace FedActors.Actors.Aggregation;

/// <summary>
/// s(τ) = 1/√(1 + τ), the default of FedBuff (Nguyen et al. 2022, §5); the same as
/// <see cref="PolynomialStaleness"/> with a = 0.5, named for the config.
/// </summary>
public sealed record InverseSqrtStaleness : IStalenessWeight
{
    /// <inheritdoc />
    public double Weight(int staleness)
    {
        Staleness.RequireNonNegative(staleness);
        return 1.0 / Math.Sqrt(1.0 + staleness);
    }
}
