using FedActors.Actors.Coordination;
using FedActors.Actors.Simulation;

namespace FedActors.Actors.Tests.Coordination;

/// <summary>
/// A checkpoint lists the jobs in flight by id and the scheduled events in firing order, with the versions those
/// jobs and pending evaluations need: what a restore rebuilds, and in one canonical order so that equal states give
/// equal bytes. The core keeps both in order as it goes instead of sorting them at every step.
/// </summary>
public sealed class CheckpointOrderTests
{
    [Theory]
    [InlineData(ClockMode.Virtual)]
    [InlineData(ClockMode.Wall)]
    public void Checkpoints_must_list_exactly_the_jobs_in_flight_by_id_and_the_events_in_firing_order(ClockMode clock)
    {
        // Jittered device speeds: jobs finish out of id order, so the in-flight set has holes after every step.
        var simulation = SimulationSettings.Default with { Clock = clock };
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 24, k: 3), simulation, population: 200);
        var random = new Random(7);
        double now = 0;
        for (int i = 0; i < 120 && d.Outstanding.Count > 0; i++)
        {
            // Answer in a scrambled order; under the wall clock let time pass too, so that timeouts fire.
            var job = d.Outstanding[random.Next(d.Outstanding.Count)];
            d.Outstanding.Remove(job);
            now += 0.5;
            d.Take(clock == ClockMode.Wall ? d.Core.OnUpdate(d.UpdateFor(job), now) : d.Core.OnUpdate(d.UpdateFor(job)));
            if (clock == ClockMode.Wall && i % 10 == 9) d.Take(d.Core.OnTick(now += 40));
        }

        Assert.True(d.Checkpoints.Count > 20, $"only {d.Checkpoints.Count} checkpoints");
        foreach (var c in d.Checkpoints)
        {
            var ids = c.InFlight.Select(j => j.Id).ToArray();
            Assert.Equal(ids.Order(), ids);
            Assert.Equal(ids.Length, ids.Distinct().Count());
            Assert.All(ids, id => Assert.InRange(id, 0, c.NextJob - 1));
            var keys = c.Events.Select(e => (e.Time, e.Kind, e.Id)).ToArray();
            Assert.Equal(keys.Order(), keys);
            Assert.Equal(keys.Length, keys.Distinct().Count());
            var needed = c.InFlight.Select(j => j.BaseVersion).Append(c.ServerStep)
                .Concat(c.PendingEvaluations.Select(p => p.Snapshot.ServerStep)).Distinct().Order();
            Assert.Equal(needed, c.RetainedVersions);
        }
    }
}
