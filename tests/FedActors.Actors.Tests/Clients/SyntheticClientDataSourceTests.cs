using FedActors.Actors.Clients;
using FedActors.Training.Data;

namespace FedActors.Actors.Tests.Clients;

public sealed class SyntheticClientDataSourceTests
{
    [Fact]
    public void SampleCount_must_match_the_generated_training_split_without_caching_any_client()
    {
        var population = new SyntheticClientDataSource(new SyntheticSettings(1, 1, false), 42, clientCount: 1_000_000);

        var counts = new[] { 0, 1, 999_999 }.Select(population.SampleCount).ToArray();

        Assert.Equal(0, population.CachedClients); // nothing generated for a count
        Assert.Equal(new[] { 0, 1, 999_999 }.Select(c => population.Get(c).SampleCount), counts);
        Assert.Throws<ArgumentOutOfRangeException>(() => population.SampleCount(1_000_000));
    }
}
