using FedActors.Training.Partitioning;

namespace FedActors.Training.Tests.Partitioning;

public class FeatureNoiseSkewTests
{
    [Theory]
    [InlineData(0, 11, 0.0)]
    [InlineData(5, 11, 0.05)]
    [InlineData(10, 11, 0.1)]
    [InlineData(0, 1, 0.0)]
    public void Client_i_of_N_gets_sigma_times_i_over_N_minus_1(int client, int clients, double expected)
    {
        Assert.Equal(expected, new FeatureNoiseSkew(0.1).StdDevOf(client, clients), 12);
    }

    [Fact]
    public void The_added_noise_has_the_clients_standard_deviation_and_is_the_same_for_the_same_seed()
    {
        var skew = new FeatureNoiseSkew(0.2);
        var a = new float[200_000];
        var b = new float[200_000];
        skew.Apply(a, clientId: 3, clients: 5, seed: 9); // std 0.2 · 3 / 4 = 0.15
        skew.Apply(b, clientId: 3, clients: 5, seed: 9);
        Assert.Equal(a, b);

        double mean = a.Average(x => (double)x);
        double std = Math.Sqrt(a.Average(x => (x - mean) * (x - mean)));
        Assert.InRange(mean, -0.002, 0.002);   // 5 standard errors of 0.15 / √200,000
        Assert.InRange(std, 0.1485, 0.1515);    // within 1 %

        var other = new float[200_000];
        skew.Apply(other, clientId: 3, clients: 5, seed: 10);
        Assert.NotEqual(a, other);
    }

    [Fact]
    public void Client_zero_keeps_its_features_and_bad_sigmas_are_refused()
    {
        float[] features = [0.25f, 0.5f];
        new FeatureNoiseSkew(1).Apply(features, 0, 10, seed: 1);
        Assert.Equal([0.25f, 0.5f], features);
        Assert.Contains("finite number ≥ 0, got -0.1", Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureNoiseSkew(-0.1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureNoiseSkew(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureNoiseSkew(0.1).StdDevOf(10, 10));
    }
}
