using FedActors.Actors.Coordination;
using FedActors.Actors.Simulation;
using FedActors.Training;

namespace FedActors.Actors.Tests.Coordination;

public class ReachableClientsTests
{
    private static SimulationSettings Wall => CoreDriver.Sim() with { Clock = ClockMode.Wall };

    [Fact(DisplayName = "With reachable clients set, the coordinator must select only among them and only those not busy")]
    public void Coordinator_must_select_only_reachable_clients()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 4, k: 1), Wall, population: 10);
        d.Take(d.Core.OnReachableClients([7, 3], now: 1));
        Assert.Equal(new[] { 3, 7 }, d.Core.ReachableClients);

        // The jobs selected before are left alone; every one after goes to 3 or 7, never two at once to the same.
        int before = d.AllDispatched.Count;
        for (int i = 0; i < 12 && d.Outstanding.Count > 0; i++) d.Answer(0);
        var later = d.AllDispatched.Skip(before).ToList();
        Assert.NotEmpty(later);
        Assert.All(later, j => Assert.Contains(j.ClientId, new[] { 3, 7 }));
        Assert.True(d.Core.InFlight <= 2, $"{d.Core.InFlight} jobs in flight over two clients");
        Assert.Equal(d.Core.InFlight, d.Outstanding.Count);
        Assert.Equal(d.Outstanding.Count, d.Outstanding.Select(j => j.ClientId).Distinct().Count());
    }

    [Fact(DisplayName = "When no client is reachable nothing must be dispatched, and clients that register must get the free slots at once")]
    public void Free_slots_must_go_to_clients_as_they_become_reachable()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 2, k: 1), Wall, population: 10);
        d.Take(d.Core.OnReachableClients([], now: 1));
        while (d.Outstanding.Count > 0) d.Answer(0);
        Assert.Equal(0, d.Core.InFlight);

        d.Take(d.Core.OnReachableClients([5], now: 2));
        Assert.Equal(5, Assert.Single(d.Outstanding).ClientId);
    }

    [Fact(DisplayName = "The virtual clock must refuse reachable clients: its runs must not depend on who is connected")]
    public void Virtual_clock_must_refuse_reachable_clients()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 2, k: 1), population: 10);
        var e = Assert.Throws<InvalidOperationException>(() => d.Core.OnReachableClients([1], now: 0));
        Assert.Contains("fedactors.simulation.clock = wall", e.Message);
    }

    [Fact(DisplayName = "Selection among candidates must be uniform over the free ones and fail when all are busy")]
    public void Selection_among_candidates_must_skip_busy_clients()
    {
        var counts = new int[3];
        for (ulong i = 0; i < 3000; i++)
        {
            Assert.True(ClientSelector.TrySelectAmong(DeterministicRandom.For(1, i, 2), [0, 1, 2], new HashSet<int> { 1 }, out int c));
            counts[c]++;
        }
        Assert.Equal(0, counts[1]);
        Assert.InRange(counts[0], 1350, 1650);
        Assert.False(ClientSelector.TrySelectAmong(DeterministicRandom.For(1, 0, 2), [4], new HashSet<int> { 4 }, out _));
    }
}
