namespace FedActors.Actors.Privacy;

/// <summary>An (ε, δ) guarantee and the Rényi order that gave it.</summary>
/// <param name="Epsilon">ε, ≥ 0; +∞ when no order gives a finite bound.</param>
/// <param name="Delta">δ.</param>
/// <param name="Order">The order α whose RDP bound gave the smallest ε.</param>
public readonly record struct PrivacyGuarantee(double Epsilon, double Delta, double Order);

/// <summary>
/// Converts RDP to (ε, δ)-DP with the bound of Balle, Barthe, Gaboardi, Hsu and Sato (AISTATS 2020, Theorem 21):
/// ε = min over α of ρ(α) + log((α − 1)/α) − (log δ + log α)/(α − 1), as Opacus and Google's dp-accounting do.
/// </summary>
public static class RdpConversion
{
    /// <summary>The smallest ε that the RDP curve <paramref name="rdp"/> at <paramref name="orders"/> gives for <paramref name="delta"/>.</summary>
    public static PrivacyGuarantee Epsilon(ReadOnlySpan<double> orders, ReadOnlySpan<double> rdp, double delta)
    {
        if (orders.Length == 0 || rdp.Length != orders.Length)
            throw new ArgumentException($"{orders.Length} orders and {rdp.Length} RDP values: both must be as many, and not none");
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1)");
        double best = double.PositiveInfinity, bestOrder = orders[0];
        for (int i = 0; i < orders.Length; i++)
        {
            double a = orders[i], r = rdp[i];
            if (!(a > 1)) throw new ArgumentOutOfRangeException(nameof(orders), a, "Rényi orders must be > 1");
            if (!(r >= 0)) throw new ArgumentOutOfRangeException(nameof(rdp), r, $"the RDP at order {a} must be ≥ 0");
            double eps;
            // An RDP this small is (0, δ)-DP outright: δ² ≥ 1 − e^(−ρ).
            if (delta * delta + LogSpace.ExpM1(-r) >= 0) eps = 0;
            // The bound is numerically unstable as α → 1.
            else if (a > 1.01) eps = r + LogSpace.Log1P(-1 / a) - Math.Log(delta * a) / (a - 1);
            else eps = double.PositiveInfinity;
            if (eps < best) (best, bestOrder) = (eps, a);
        }
        return new PrivacyGuarantee(Math.Max(0, best), delta, bestOrder);
    }
}
