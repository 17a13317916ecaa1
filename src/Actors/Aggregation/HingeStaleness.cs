namespace FedActors.Actors.Aggregation;

/// <summary>
/// FedAsync's hinge function (Xie et al. 2019; the paper uses a = 10, b = 4):
/// s(τ) = 1 if τ ≤ b, else 1 / (a(τ − b) + 1).
/// </summary>
public sealed record HingeStaleness : IStalenessWeight
{
    /// <summary>Creates the hinge function.</summary>
    /// <param name="a">a, the slope of the decay after the hinge; finite and ≥ 0.</param>
    /// <param name="b">b, the staleness up to which updates count fully; finite and ≥ 0.</param>
    public HingeStaleness(double a, double b)
    {
        if (!double.IsFinite(a) || a < 0)
            throw new ArgumentOutOfRangeException(nameof(a), a, "hinge staleness slope a must be finite and ≥ 0");
        if (!double.IsFinite(b) || b < 0)
            throw new ArgumentOutOfRangeException(nameof(b), b, "hinge staleness threshold b must be finite and ≥ 0");
        A = a;
        B = b;
    }

    /// <summary>a, the slope of the decay beyond the hinge.</summary>
    public double A { get; }

    /// <summary>b, the hinge: updates with τ ≤ b count fully.</summary>
    public double B { get; }

    /// <inheritdoc />
    public double Weight(int staleness)
    {
        Staleness.RequireNonNegative(staleness);
        return staleness <= B ? 1.0 : 1.0 / (A * (staleness - B) + 1.0);
    }
}
