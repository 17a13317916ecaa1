using FedActors.Actors.Coordination;
using FedActors.Actors.Persistence;
using FedActors.Actors.Simulation;

namespace FedActors.Actors.Tests.Coordination;

/// <summary>
/// After a run's first step, a checkpoint lists only what the step changed (jobs dispatched or changed, events
/// scheduled, jobs given up, and what left); the journal's fold puts the full state back together, in one canonical
/// order (jobs by id, events in firing order) so that equal states give equal bytes.
/// </summary>
public sealed class DeltaCheckpointTests
{
    [Theory]
    [InlineData(ClockMode.Virtual)]
    [InlineData(ClockMode.Wall)]
    public void Folded_delta_checkpoints_must_hold_exactly_the_jobs_in_flight_by_id_and_the_events_in_firing_order(ClockMode clock)
    {
        // Jittered device speeds: jobs finish out of id order, so the in-flight set has holes after every step.
        var simulation = SimulationSettings.Default with { Clock = clock };
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 24, k: 3), simulation, population: 200);
        var fold = new PersistedRun();
        fold.Apply(new RunStarted("fingerprint", d.Core.Current.Weights));
        var random = new Random(7);
        double now = 0;
        int folded = 0;
        for (int i = 0; i < 120 && d.Outstanding.Count > 0; i++)
        {
            // Answer in a scrambled order; under the wall clock let time pass too, so that timeouts fire.
            var job = d.Outstanding[random.Next(d.Outstanding.Count)];
            d.Outstanding.Remove(job);
            now += 0.5;
            d.Take(clock == ClockMode.Wall ? d.Core.OnUpdate(d.UpdateFor(job), now) : d.Core.OnUpdate(d.UpdateFor(job)));
            if (clock == ClockMode.Wall && i % 10 == 9) d.Take(d.Core.OnTick(now += 40));

            for (; folded < d.Checkpoints.Count; folded++)
            {
                var step = d.Checkpoints[folded];
                Assert.Equal(folded > 0, step.IsDelta);
                fold.Apply(new StepPersisted(step, d.Core.Current.Weights, now));
                var full = fold.Latest!;
                Assert.False(full.IsDelta);
                var ids = full.InFlight.Select(j => j.Id).ToArray();
                Assert.Equal(ids.Order(), ids);
                Assert.Equal(ids.Length, ids.Distinct().Count());
                Assert.All(ids, id => Assert.InRange(id, 0, full.NextJob - 1));
                var keys = full.Events.Select(e => (e.Time, e.Kind, e.Id)).ToArray();
                Assert.Equal(keys.Order(), keys);
                Assert.Equal(keys.Length, keys.Distinct().Count());
                // The core counts the jobs in flight per base version as it goes: the folded jobs must need exactly those.
                var needed = full.InFlight.Select(j => j.BaseVersion).Append(full.ServerStep)
                    .Concat(full.PendingEvaluations.Select(p => p.Snapshot.ServerStep)).Distinct().Order();
                Assert.Equal(needed, step.RetainedVersions);
                // Every job still waited for is in the state (the rest were answered, timed out, or dropped out).
                Assert.All(d.Outstanding.Where(o => o.Job.Value < full.NextJob), o => Assert.Contains(o.Job.Value, ids));
            }
        }

        Assert.True(folded > 20, $"only {folded} checkpoints");
        // What a step journals is what it changed, not every job in flight.
        var deltas = d.Checkpoints.Skip(1).ToList();
        Assert.True(deltas.Average(c => c.InFlight.Count) < 12, $"a delta lists {deltas.Average(c => c.InFlight.Count):F1} jobs on average");
    }
}
