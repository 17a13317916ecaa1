namespace FedActors.Actors.Aggregation;

/// <summary>s(τ) = 1: staleness is ignored (FedAsync's "constant" function, Xie et al. 2019).</summary>
public sealed record ConstantStaleness : IStalenessWeight
{
    /// <inheritdoc />
    public double Weight(int staleness)
    {
        Staleness.RequireNonNegative(staleness);
        return 1.0;
    }
}
