using FedActors.Training.Data;

namespace FedActors.Training.Tests;

/// <summary>Small, learnable datasets made in memory for tests.</summary>
internal static class TestData
{
    /// <summary>Gaussian blobs: class c has mean 2·e_c (first <paramref name="classes"/> features), unit noise.</summary>
    public static LabeledDataset Blobs(int samples, int[] shape, int classes, int seed)
    {
        var rng = new Random(seed); // test fixture only; production code never uses System.Random
        int f = shape.Aggregate(1, (a, b) => a * b);
        var x = new float[samples * f];
        var y = new int[samples];
        for (int i = 0; i < samples; i++)
        {
            int c = i % classes;
            y[i] = c;
            for (int j = 0; j < f; j++)
            {
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                x[i * f + j] = (float)(z * 0.5 + (j % classes == c ? 2.0 : 0.0));
            }
        }
        return new LabeledDataset("blobs", x, y, shape, classes);
    }
}
