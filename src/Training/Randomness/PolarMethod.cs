namespace FedActors.Training;

/// <summary>A source of uniform doubles in [0, 1).</summary>
public interface IUniformSource
{
    /// <summary>The next uniform double in [0, 1).</summary>
    double NextDouble();
}

/// <summary>A source of standard normal samples.</summary>
public interface INormalSource
{
    /// <summary>The next N(0, 1) sample.</summary>
    double NextNormal();
}

/// <summary>Marsaglia's polar method: two independent standard normals from pairs of uniforms, without trigonometry.</summary>
public static class PolarMethod
{
    /// <summary>Two independent N(0, 1) samples drawn from <paramref name="source"/>.</summary>
    public static (double First, double Second) NormalPair<T>(T source) where T : IUniformSource
    {
        double u, v, s;
        do
        {
            u = 2 * source.NextDouble() - 1;
            v = 2 * source.NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        return (u * f, v * f);
    }
}
