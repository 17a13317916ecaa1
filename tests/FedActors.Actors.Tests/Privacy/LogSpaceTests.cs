using FedActors.Actors.Privacy;

namespace FedActors.Actors.Tests.Privacy;

public sealed class LogSpaceTests
{
    [Theory(DisplayName = "log erfc must match 50-digit values, including where erfc underflows")]
    // mpmath.log(mpmath.erfc(x)) at mp.dps = 50.
    [InlineData(-3, 0.69313613525044681032)]
    [InlineData(-1, 0.61123231767807049464)]
    [InlineData(0, 0.0)]
    [InlineData(0.5, -0.73501112983708440303)]
    [InlineData(1, -1.8496055099332482486)]
    [InlineData(1.9999, -5.3644994577735301345)]
    [InlineData(2, -5.3649412646166375745)]
    [InlineData(3, -10.720363041981112568)]
    [InlineData(5, -27.200889545537434422)]
    [InlineData(10, -102.87988902484488857)]
    [InlineData(30, -903.97411711064387808)]
    public void Log_erfc_must_be_accurate(double x, double expected) =>
        Assert.Equal(expected, LogSpace.LogErfc(x), Math.Max(1e-13, 1e-13 * Math.Abs(expected)));

    [Fact(DisplayName = "Log-space addition and subtraction must equal the direct computation and handle −∞")]
    public void Add_and_subtract()
    {
        Assert.Equal(Math.Log(Math.Exp(1.5) + Math.Exp(-2.0)), LogSpace.Add(1.5, -2.0), 1e-15);
        Assert.Equal(Math.Log(Math.Exp(1.5) - Math.Exp(-2.0)), LogSpace.Subtract(1.5, -2.0), 1e-15);
        Assert.Equal(3.0, LogSpace.Add(double.NegativeInfinity, 3.0));
        Assert.Equal(3.0, LogSpace.Subtract(3.0, double.NegativeInfinity));
        Assert.Equal(double.NegativeInfinity, LogSpace.Subtract(3.0, 3.0));
        Assert.Throws<ArithmeticException>(() => LogSpace.Subtract(1.0, 2.0));
    }

    [Fact(DisplayName = "expm1 and log1p must keep their precision near zero")]
    public void Expm1_and_log1p()
    {
        // e^x − 1 = x + x²/2 + x³/6 + …; log(1 + x) = x − x²/2 + x³/3 − …
        const double x = 1e-10;
        Assert.Equal(x + x * x / 2, LogSpace.ExpM1(x), 1e-26);
        Assert.Equal(x - x * x / 2, LogSpace.Log1P(x), 1e-26);
        Assert.Equal(Math.E - 1, LogSpace.ExpM1(1), 1e-15);
        Assert.Equal(Math.Log(3), LogSpace.Log1P(2), 1e-15);
    }
}
