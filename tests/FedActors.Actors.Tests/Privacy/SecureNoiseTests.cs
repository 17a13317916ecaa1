using FedActors.Actors.Aggregation;
using FedActors.Actors.Privacy;

namespace FedActors.Actors.Tests.Privacy;

public sealed class SecureNoiseTests
{
    [Fact(DisplayName = "Cryptographic Gaussian samples must have mean 0 and standard deviation 1")]
    public void Samples_must_be_standard_normal()
    {
        var source = new SecureGaussian();
        var x = Enumerable.Range(0, 200_000).Select(_ => source.NextNormal()).ToArray();
        double mean = x.Average(), std = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
        // Standard errors: 1/√200,000 = 0.0022 for the mean, 0.0016 for the standard deviation; 6 of them.
        Assert.Equal(0, mean, 0.014);
        Assert.Equal(1, std, 0.01);
        Assert.InRange(x.Count(v => Math.Abs(v) > 1.959964) / (double)x.Length, 0.047, 0.053);
    }

    [Fact(DisplayName = "With secure noise, the same seed and step must not give the same noise, and its spread must be z·C/n")]
    public void Secure_noise_is_not_seeded()
    {
        const int dimension = 40_000, n = 4;
        float[] Step()
        {
            var fedbuff = FedBuffSettings.Default with { BufferSize = n, Weighting = UpdateWeighting.Uniform };
            var dp = new CentralDp(fedbuff.Create(dimension), new CentralDpSettings(0.5, 2.0, new ConstantStaleness(), 7) { SecureNoise = true });
            for (int c = 0; c < n; c++) dp.Offer(new ClientContribution(new float[dimension], new float[dimension], 1, 0, c));
            var aggregate = new float[dimension];
            dp.PrepareStep(12);
            dp.Aggregate(new float[dimension], aggregate);
            return aggregate;
        }
        var a = Step();
        Assert.NotEqual(a, Step());
        double std = Math.Sqrt(a.Sum(v => (double)v * v) / dimension);
        Assert.Equal(0.25, std, 0.25 * 0.015);
    }
}
