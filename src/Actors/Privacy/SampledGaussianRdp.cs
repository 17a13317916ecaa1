namespace FedActors.Actors.Privacy;

/// <summary>
/// Rényi differential privacy of one step of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar and Zhang,
/// "Rényi Differential Privacy of the Sampled Gaussian Mechanism", 2019): each record (here, each client) is in the
/// step's sample independently with probability q, the sum of the sampled contributions (each of L2 norm at most C)
/// gets Gaussian noise of standard deviation σ·C, and neighbouring datasets differ by adding or removing one record.
/// </summary>
/// <remarks>
/// RDP at order α is log(A_α)/(α − 1). For integer α, A_α is the finite binomial sum of Section 3.3; for fractional α
/// it is the two infinite series of the same section, summed until their terms fall below e⁻³⁰. With q = 1 (no
/// subsampling) it is the Gaussian mechanism's α/(2σ²).
/// </remarks>
public static class SampledGaussianRdp
{
    /// <summary>
    /// The RDP ε(α) of one step with sampling rate <paramref name="q"/> and noise multiplier
    /// <paramref name="noiseMultiplier"/> (σ, the noise's standard deviation over the clip norm) at
    /// <paramref name="order"/> α &gt; 1; 0 when q = 0, +∞ when σ = 0 or α = +∞.
    /// </summary>
    public static double Rdp(double q, double noiseMultiplier, double order)
    {
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "the sampling rate must be in [0, 1]");
        if (!(noiseMultiplier >= 0))
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "the noise multiplier must be ≥ 0");
        if (!(order > 1)) throw new ArgumentOutOfRangeException(nameof(order), order, "Rényi orders must be > 1");
        if (q == 0) return 0;
        if (double.IsPositiveInfinity(noiseMultiplier)) return 0;
        if (noiseMultiplier == 0 || double.IsPositiveInfinity(order)) return double.PositiveInfinity;
        if (q == 1) return order / (2 * noiseMultiplier * noiseMultiplier);
        double logA = order == Math.Floor(order) && order <= int.MaxValue
            ? LogAIntegerOrder(q, noiseMultiplier, (int)order)
            : LogAFractionalOrder(q, noiseMultiplier, order);
        return logA / (order - 1);
    }

    /// <summary>The RDP of one step at each of <paramref name="orders"/>, written to <paramref name="rdp"/>.</summary>
    public static void Rdp(double q, double noiseMultiplier, ReadOnlySpan<double> orders, Span<double> rdp)
    {
        if (rdp.Length != orders.Length) throw new ArgumentException($"{orders.Length} orders need as many RDP values, not {rdp.Length}", nameof(rdp));
        for (int i = 0; i < orders.Length; i++) rdp[i] = Rdp(q, noiseMultiplier, orders[i]);
    }

    // A_α = Σ_{k=0..α} C(α, k) (1 − q)^(α−k) q^k exp((k² − k) / (2σ²)).
    private static double LogAIntegerOrder(double q, double sigma, int alpha)
    {
        double logQ = Math.Log(q), log1MinusQ = LogSpace.Log1P(-q), twoSigma2 = 2 * sigma * sigma;
        double logA = double.NegativeInfinity, logBinomial = 0;
        for (int k = 0; k <= alpha; k++)
        {
            if (k > 0) logBinomial += Math.Log(alpha - k + 1) - Math.Log(k);
            double term = logBinomial + k * logQ + (alpha - k) * log1MinusQ + ((double)k * k - k) / twoSigma2;
            logA = LogSpace.Add(logA, term);
        }
        return logA;
    }

    // A_α = A₀ + A₁ with z₀ = σ² log(1/q − 1) + 1/2 and, for i = 0, 1, …, generalized binomials C(α, i):
    //   A₀ += C(α, i) q^i (1 − q)^(α−i) e^((i² − i)/(2σ²)) · erfc((i − z₀)/(√2 σ))/2
    //   A₁ += C(α, i) q^(α−i) (1 − q)^i e^((j² − j)/(2σ²)) · erfc((z₀ − j)/(√2 σ))/2, with j = α − i.
    private static double LogAFractionalOrder(double q, double sigma, double alpha)
    {
        double logQ = Math.Log(q), log1MinusQ = LogSpace.Log1P(-q), twoSigma2 = 2 * sigma * sigma;
        double z0 = sigma * sigma * Math.Log(1 / q - 1) + 0.5, sqrt2Sigma = Math.Sqrt(2) * sigma, logHalf = Math.Log(0.5);
        double logA0 = double.NegativeInfinity, logA1 = double.NegativeInfinity;
        double logAbsBinomial = 0;
        bool positive = true;
        for (int i = 0; ; i++)
        {
            if (i > 0)
            {
                double factor = (alpha - i + 1) / i;
                logAbsBinomial += Math.Log(Math.Abs(factor));
                if (factor < 0) positive = !positive;
            }
            double j = alpha - i;
            double logT0 = logAbsBinomial + i * logQ + j * log1MinusQ;
            double logT1 = logAbsBinomial + j * logQ + i * log1MinusQ;
            double logE0 = logHalf + LogSpace.LogErfc((i - z0) / sqrt2Sigma);
            double logE1 = logHalf + LogSpace.LogErfc((z0 - j) / sqrt2Sigma);
            double logS0 = logT0 + ((double)i * i - i) / twoSigma2 + logE0;
            double logS1 = logT1 + (j * j - j) / twoSigma2 + logE1;
            if (positive)
            {
                logA0 = LogSpace.Add(logA0, logS0);
                logA1 = LogSpace.Add(logA1, logS1);
            }
            else
            {
                logA0 = LogSpace.Subtract(logA0, logS0);
                logA1 = LogSpace.Subtract(logA1, logS1);
            }
            if (Math.Max(logS0, logS1) < -30) break;
            if (i > 100_000) throw new ArithmeticException($"the RDP series at order {alpha} (q = {q}, σ = {sigma}) did not converge");
        }
        return LogSpace.Add(logA0, logA1);
    }
}
