using FedActors.Actors.Population;
using FedActors.Training.Data;

namespace FedActors.Actors.Tests.Population;

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

    [Fact]
    public void The_cache_must_stay_within_its_byte_bound_and_answer_repeated_clients_without_generating_them()
    {
        var settings = new SyntheticSettings(1, 1, false);
        long bound = 2_000_000;
        var population = new SyntheticClientDataSource(settings, 42, clientCount: 1000, cacheBytes: bound);

        for (int c = 0; c < 200; c++) population.Get(c);
        Assert.InRange(population.CachedBytes, 1, bound);
        Assert.InRange(population.CachedClients, 2, 199); // some, not all: 200 devices hold far more than 2 MB
        Assert.Equal(200, population.CacheMisses);

        var again = population.Get(199); // the most recent is kept
        Assert.Equal(1, population.CacheHits);
        var fresh = SyntheticFedProx.GenerateTrain(settings, 42, 199);
        Assert.Equal(fresh.Features, again.Data.Features);
        Assert.Equal(fresh.Labels, again.Data.Labels);
        Assert.Equal(Enumerable.Range(0, fresh.Count), again.Indices.ToArray());
    }

    [Fact]
    public void A_cache_of_zero_bytes_must_keep_no_client()
    {
        var population = new SyntheticClientDataSource(new SyntheticSettings(1, 1, false), 42, clientCount: 10, cacheBytes: 0);
        population.Get(3);
        population.Get(3);
        Assert.Equal(0, population.CachedClients);
        Assert.Equal(2, population.CacheMisses);
    }
}
