using FedActors.Actors.Population;
using FedActors.Training.Data;
using FedActors.Training.Partitioning;

namespace FedActors.Actors.Tests.Population;

public sealed class NoisyClientDataTests
{
    // 5 clients × 400 samples of 50 features, every feature 0.5: what the noise adds is plain to see.
    private static PooledClientDataSource Clean()
    {
        var features = Enumerable.Repeat(0.5f, 2000 * 50).ToArray();
        var labels = Enumerable.Range(0, 2000).Select(i => i % 10).ToArray();
        return PooledClientDataSource.EvenSplit(new LabeledDataset("flat", features, labels, [50], 10), 5);
    }

    [Fact]
    public void Client_zero_sees_the_pooled_data_and_the_last_client_sigma_noise_on_its_own_samples()
    {
        var clean = Clean();
        var noisy = new NoisyClientData(clean, new FeatureNoiseSkew(0.4), seed: 7);

        Assert.Same(clean.Get(0).Data, noisy.Get(0).Data);

        var last = noisy.Get(4);
        Assert.Equal(400, last.SampleCount);
        Assert.Equal(clean.Get(4).Indices.ToArray().Select(i => i % 10), last.Data.Labels);
        double std = Math.Sqrt(last.Data.Features.Average(x => (x - 0.5) * (x - 0.5)));
        Assert.InRange(std, 0.39, 0.41); // σ · 4 / 4 = 0.4, over 20,000 draws

        var middle = noisy.Get(2).Data.Features;
        Assert.InRange(Math.Sqrt(middle.Average(x => (x - 0.5) * (x - 0.5))), 0.195, 0.205); // 0.4 · 2 / 4
    }

    [Fact]
    public void A_client_gets_the_same_noisy_copy_every_time_and_the_same_noise_under_the_same_seed()
    {
        var noisy = new NoisyClientData(Clean(), new FeatureNoiseSkew(0.4), seed: 7);
        Assert.Same(noisy.Get(3).Data, noisy.Get(3).Data);

        var again = new NoisyClientData(Clean(), new FeatureNoiseSkew(0.4), seed: 7);
        Assert.Equal(noisy.Get(3).Data.Features, again.Get(3).Data.Features);
        Assert.Equal(noisy.SampleCount(3), again.Get(3).SampleCount);
    }
}
