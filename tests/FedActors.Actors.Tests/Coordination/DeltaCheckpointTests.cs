using FedActors.Actors.Clients;
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
    private const double Timeout = 60;

    [Theory]
    [InlineData(ClockMode.Virtual)]
    [InlineData(ClockMode.Wall)]
    public void Folded_delta_checkpoints_must_hold_exactly_the_jobs_in_flight_by_id_and_the_events_in_firing_order(ClockMode clock)
    {
        // Jittered device speeds: jobs finish out of id order, so the in-flight set has holes after every step. A short
        // timeout: under the wall clock, jobs held back past it are given up, and their late results come in later.
        var simulation = SimulationSettings.Default with
        {
            Clock = clock,
            Device = SimulationSettings.Default.Device with { JobTimeout = Timeout },
        };
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 24, k: 3), simulation, population: 200);
        var fold = new PersistedRun();
        fold.Apply(new RunStarted("fingerprint", d.Core.Current.Weights));
        var random = new Random(7);
        double now = 0;
        int folded = 0;
        var heldBack = new List<ClientProtocol.TrainJob>();
        var answered = new HashSet<long>();
        var sentAt = d.AllDispatched.ToDictionary(j => j.Job.Value, _ => 0.0);
        int sent = d.AllDispatched.Count;
        // Carries out a call's effects and notes when each job it dispatched was sent.
        void Take(IReadOnlyList<CoordinatorEffects.ICoordinatorEffect> effects)
        {
            d.Take(effects);
            for (; sent < d.AllDispatched.Count; sent++) sentAt[d.AllDispatched[sent].Job.Value] = now;
            FoldCheckpoints();
        }
        // Folds the checkpoints a call produced as the journal would and checks the state right after each.
        void FoldCheckpoints()
        {
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
                // A given-up job leaves the state's given-up set once its late result is in.
                Assert.DoesNotContain(full.Abandoned, answered.Contains);
                Assert.Empty(full.Abandoned.Intersect(ids));
                // Every job still waited for and not yet due to time out is in the state.
                Assert.All(d.Outstanding.Where(o => o.Job.Value < full.NextJob && sentAt[o.Job.Value] > now - Timeout),
                    o => Assert.Contains(o.Job.Value, ids));
            }
        }

        for (int i = 0; i < 120 && d.Outstanding.Count > 0; i++)
        {
            // Answer in a scrambled order. Under the wall clock, hold every seventh job back, let time pass so that
            // its timeout fires, and answer it late.
            var job = d.Outstanding[random.Next(d.Outstanding.Count)];
            d.Outstanding.Remove(job);
            now += 0.5;
            if (clock == ClockMode.Wall && i % 7 == 0) heldBack.Add(job);
            else if (answered.Add(job.Job.Value)) Take(clock == ClockMode.Wall ? d.Core.OnResult(d.UpdateFor(job), now) : d.Core.OnResult(d.UpdateFor(job)));
            if (clock == ClockMode.Wall && i % 10 == 9)
            {
                Take(d.Core.OnTick(now += 20));
                if (heldBack.Count > 6)
                {
                    answered.Add(heldBack[0].Job.Value);
                    Take(d.Core.OnResult(d.UpdateFor(heldBack[0]), now));
                    heldBack.RemoveAt(0);
                }
            }
        }

        Assert.True(folded > 20, $"only {folded} checkpoints");
        if (clock == ClockMode.Wall)
        {
            // Jobs were given up, and late results of given-up jobs came in, across checkpoints.
            Assert.Contains(d.Checkpoints, c => c.Abandoned.Count > 0);
            Assert.Contains(d.Checkpoints, c => c.RemovedAbandoned.Count > 0);
            Assert.Contains(d.Checkpoints, c => c.RemovedEvents.Any(e => e.Kind == 1)); // a timeout fired
        }
        // What a step journals is what it changed, not every job in flight.
        var deltas = d.Checkpoints.Skip(1).ToList();
        Assert.True(deltas.Average(c => c.InFlight.Count) < 12, $"a delta lists {deltas.Average(c => c.InFlight.Count):F1} jobs on average");
    }
}
