namespace FedActors.Actors.Privacy;

/// <summary>Finds the noise multiplier that keeps a planned run within a target (ε, δ).</summary>
public static class NoiseCalibration
{
    private const double LargestNoiseMultiplier = 1e6;

    /// <summary>
    /// The smallest noise multiplier σ (to a relative 10⁻⁶, rounded up so that the target holds) for which
    /// <paramref name="steps"/> steps at sampling rate <paramref name="q"/> stay within (<paramref name="epsilon"/>,
    /// <paramref name="delta"/>), with the guarantee it gives.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range, or no σ up to 10⁶ meets the target.</exception>
    public static (double NoiseMultiplier, PrivacyGuarantee Guarantee) NoiseMultiplier(double q, long steps, double delta, double epsilon,
        IReadOnlyList<double>? orders = null)
    {
        if (!(epsilon > 0) || double.IsPositiveInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "the target ε must be finite and > 0");
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1)");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps must be ≥ 1");
        new PrivacyCharge(q, 0, steps).Validate();
        // Nobody is ever sampled: no noise is needed.
        if (q == 0) return (0, new PrivacyGuarantee(0, delta, (orders ?? RdpOrders.Default)[0]));
        PrivacyGuarantee At(double sigma) => new RdpAccountant([new PrivacyCharge(q, sigma, steps)], orders).Epsilon(delta);

        double lo = 0, hi = 1;
        var atHi = At(hi);
        while (atHi.Epsilon > epsilon)
        {
            (lo, hi) = (hi, hi * 2);
            if (hi > LargestNoiseMultiplier)
                throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon,
                    $"no noise multiplier up to {LargestNoiseMultiplier:G} keeps {steps} steps at q = {q} within ε = {epsilon}, δ = {delta}");
            atHi = At(hi);
        }
        for (int i = 0; i < 200 && hi - lo > 1e-6 * hi; i++)
        {
            double mid = 0.5 * (lo + hi);
            var atMid = At(mid);
            if (atMid.Epsilon <= epsilon) (hi, atHi) = (mid, atMid);
            else lo = mid;
        }
        return (hi, atHi);
    }
}
