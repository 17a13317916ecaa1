using FedActors.Host.Configuration;
using FedActors.Host.Data;

namespace FedActors.Host.Tests.Cluster;

/// <summary>A silo's own data under a data-poisoning attack.</summary>
public sealed class SiloDataSpecs
{
    private static async Task<Actors.Population.OwnClientDataSource> Load(params string[] sets)
    {
        var settings = FedActorsConfig.Load(null, ["fedactors.data.dataset=synthetic", "fedactors.population.clients=20", .. sets]).Settings;
        var (data, _) = await SiloData.LoadAsync(settings, Enumerable.Range(0, 10).ToArray(), "silo-0", null, CancellationToken.None);
        return data;
    }

    [Fact(DisplayName = "Label flipping must flip y to C − 1 − y on a silo's malicious clients, as on a one-process run's, and leave its honest clients alone")]
    public async Task Label_flipping_must_reach_the_silos_malicious_clients()
    {
        var clean = await Load();
        var flipped = await Load("fedactors.attack.kind=label-flip", "fedactors.attack.fraction=0.5");
        var malicious = FedActorsConfig.Load(null, ["fedactors.data.dataset=synthetic", "fedactors.population.clients=20",
            "fedactors.attack.kind=label-flip", "fedactors.attack.fraction=0.5"]).Settings.Run.Attack.Malicious();

        int poisoned = 0;
        foreach (var id in clean.ClientIds)
        {
            var (before, after) = (clean.Get(id), flipped.Get(id));
            int classes = before.Data.NumClasses;
            var labels = before.Indices.ToArray().Select(i => before.Data.Labels[i]).ToArray();
            var now = after.Indices.ToArray().Select(i => after.Data.Labels[i]).ToArray();
            if (malicious.Contains(id))
            {
                poisoned++;
                Assert.Equal(labels.Select(y => classes - 1 - y), now);
            }
            else Assert.Equal(labels, now);
        }
        Assert.InRange(poisoned, 1, 9);
    }
}
