namespace FedActors.Actors.Aggregation;

/// <summary>
/// s(τ) = (1 + τ)^−a, FedAsync's polynomial function (Xie et al. 2019; the paper uses a = 0.5).
/// </summary>
public sealed record PolynomialStaleness : IStalenessWeight
{
    /// <summary>Creates s(τ) = (1 + τ)^−a.</summary>
    /// <param name="a">a, the decay exponent; must be finite and ≥ 0.</param>
    public PolynomialStaleness(double a)
    {
        if (!double.IsFinite(a) || a < 0)
            throw new ArgumentOutOfRangeException(nameof(a), a, "polynomial staleness exponent a must be finite and ≥ 0");
        A = a;
    }

    /// <summary>a, the decay exponent of (1 + τ)^−a.</summary>
    public double A { get; }

    /// <inheritdoc />
    public double Weight(int staleness)
    {
        Staleness.RequireNonNegative(staleness);
        return Math.Pow(1.0 + staleness, -A);
    }
}
