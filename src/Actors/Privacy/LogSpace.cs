namespace FedActors.Actors.Privacy;

/// <summary>
/// Arithmetic on numbers kept as their natural logarithms, and the functions the Rényi accountant needs that .NET's
/// <see cref="Math"/> lacks (<c>expm1</c>, <c>log1p</c>, <c>log erfc</c>), accurate to a few units in the last place
/// where the accountant uses them.
/// </summary>
internal static class LogSpace
{
    /// <summary>log(eᵃ + eᵇ).</summary>
    public static double Add(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        var (hi, lo) = a >= b ? (a, b) : (b, a);
        return hi + Log1P(Math.Exp(lo - hi));
    }

    /// <summary>log(eᵃ − eᵇ) for a ≥ b; −∞ when they are equal.</summary>
    /// <exception cref="ArithmeticException">a &lt; b: the difference would be negative.</exception>
    public static double Subtract(double a, double b)
    {
        if (double.IsNegativeInfinity(b)) return a;
        if (a < b) throw new ArithmeticException($"log-space subtraction of e^{b} from the smaller e^{a}");
        if (a == b) return double.NegativeInfinity;
        return a + Math.Log(-ExpM1(b - a));
    }

    /// <summary>eˣ − 1 without the cancellation of <c>Math.Exp(x) - 1</c> near 0 (Kahan's correction).</summary>
    public static double ExpM1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        if (double.IsPositiveInfinity(u)) return u;
        return um1 * x / Math.Log(u);
    }

    /// <summary>log(1 + x) without the rounding of 1 + x near 0 (Kahan's correction).</summary>
    public static double Log1P(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>log(erfc(x)), finite for every finite x (erfc itself underflows beyond x ≈ 26).</summary>
    public static double LogErfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x >= 2.0) return LogErfcContinuedFraction(x);
        if (x <= -2.0) return Math.Log(2.0 - Math.Exp(LogErfcContinuedFraction(-x)));
        return Math.Log(1.0 - Erf(x));
    }

    // erf(x) = 2/√π · e^(−x²) · Σ (2x²)ⁿ x / (1·3·…·(2n+1)): every term positive, so no cancellation for |x| < 2.
    private static double Erf(double x)
    {
        double x2 = x * x, term = x, sum = x;
        for (int n = 0; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
        {
            term *= 2.0 * x2 / (2 * n + 3);
            sum += term;
        }
        return 2.0 / Math.Sqrt(Math.PI) * Math.Exp(-x2) * sum;
    }

    // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated by the modified Lentz method; it
    // converges within a few dozen terms for x ≥ 2 and is taken in log space, so it never underflows.
    private static double LogErfcContinuedFraction(double x)
    {
        const double tiny = 1e-300;
        double f = x, c = x, d = 0.0;
        for (int n = 1; n < 10_000; n++)
        {
            double a = n / 2.0;
            d = x + a * d;
            if (d == 0) d = tiny;
            c = x + a / c;
            if (c == 0) c = tiny;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16) break;
        }
        return -x * x - 0.5 * Math.Log(Math.PI) - Math.Log(f);
    }
}
