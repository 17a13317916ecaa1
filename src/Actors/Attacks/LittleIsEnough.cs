namespace FedActors.Actors.Attacks;

/// <summary>The arithmetic of "a little is enough" (Baruch et al., NeurIPS 2019).</summary>
public static class LittleIsEnough
{
    /// <summary>
    /// z_max for <paramref name="n"/> updates of which <paramref name="m"/> are malicious: with s = ⌊n/2 + 1⌋ − m honest
    /// updates the attackers need on their side, z_max = Φ⁻¹((n − s)/n), the largest z for which s honest updates are
    /// still expected farther from the mean than the crafted one. 0 when s ≥ n/2 leaves nothing to gain.
    /// </summary>
    public static double ZMax(int n, int m)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        int s = n / 2 + 1 - m;
        double p = (double)(n - s) / n;
        if (p <= 0.5) return 0;
        return p >= 1 ? InverseNormal(1 - 0.5 / n) : InverseNormal(p);
    }

    /// <summary>The malicious updates a step of <paramref name="n"/> holds when a fraction <paramref name="fraction"/> of the clients is: round(f · n), at least 1 when f &gt; 0.</summary>
    public static int ExpectedMalicious(int n, double fraction) =>
        fraction <= 0 ? 0 : Math.Max(1, (int)Math.Round(fraction * n, MidpointRounding.AwayFromZero));

    /// <summary>
    /// Φ⁻¹(p), the standard normal quantile, by Acklam's rational approximation (relative error below 1.2e-9).
    /// </summary>
    public static double InverseNormal(double p)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "a quantile needs p in (0, 1)");
        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        double x;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else if (p <= 1 - low)
        {
            double q = p - 0.5, r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        else
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        return x;
    }
}
