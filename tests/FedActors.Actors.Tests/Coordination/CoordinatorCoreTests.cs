using FedActors.Actors.Aggregation;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;
using FedActors.Tests.Shared;

namespace FedActors.Actors.Tests.Coordination;

public class CoordinatorCoreTests
{
    [Fact]
    public void FedBuff_must_keep_concurrency_jobs_in_flight_and_step_after_K_updates()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 4, k: 2));
        Assert.Equal(4, d.Outstanding.Count);
        Assert.Single(d.EvaluationRequests); // version 0

        d.Answer(0, value: 1f);
        Assert.Equal(0, d.Core.Current.Number);
        Assert.Equal(4, d.Core.InFlight); // refilled at once

        d.Answer(0, value: 3f);
        Assert.Equal(1, d.Core.Current.Number);
        // Equal samples, staleness 0 (s = 1), sgd η = 1: w1 = w0 + mean(Δ) = 0 + 2.
        Assert.Equal(new[] { 2f, 2f }, d.Core.Current.Weights);
        Assert.Equal(2, d.Core.Counters.UpdatesApplied);
    }

    [Fact]
    public void FedBuff_must_drop_updates_staler_than_max_staleness()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 3, k: 1) with { Staleness = StalenessSettings.Default with { MaxStaleness = 0 } });
        d.Answer(0); // step 1
        d.Answer(0); // based on version 0, now 1: staleness 1 > 0
        Assert.Equal(1, d.Core.Current.Number);
        Assert.Equal(1, d.Core.Counters.UpdatesDroppedStale);
        Assert.Equal(1, d.Core.Counters.UpdatesApplied);
        Assert.Equal(3, d.Core.InFlight);
    }

    [Fact]
    public void Virtual_clock_must_hold_results_that_arrive_before_an_earlier_finishing_job()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 2, k: 1));
        var first = d.Outstanding[0];
        var second = d.Answer(1, value: 2f); // job 1 arrives first in real time
        Assert.Equal(0, d.Core.Current.Number); // held: job 0 finishes earlier in virtual time
        Assert.Equal(0.0, d.Core.Now);

        d.Answer(0, value: 1f);
        Assert.Equal(2, d.Core.Current.Number);
        // Job 0 applied first (w = 1), then job 1 with staleness 1: s = 1/√2, w = 1 + 2/√2.
        Assert.Equal(1f + 2f / MathF.Sqrt(2f), d.Core.Current.Weights[0], 5);
        Assert.True(first.Job.Value < second.Job.Value);
        Assert.True(d.Core.Now > 0);
    }

    [Fact]
    public void Virtual_clock_must_apply_in_the_same_order_whatever_the_arrival_order()
    {
        float[] Run(bool reversed)
        {
            var server = CoreDriver.FedBuff(concurrency: 5, k: 2);
            var sim = CoreDriver.Sim() with { Device = DeviceSettingsWithJitter() };
            var d = new CoreDriver(server, sim, population: 50);
            for (int round = 0; round < 20; round++)
            {
                var batch = d.Outstanding.ToList();
                d.Outstanding.Clear();
                if (reversed) batch.Reverse();
                foreach (var job in batch) d.Send(d.UpdateFor(job, value: job.ClientId % 7 - 3f));
            }
            return d.Core.Current.Weights;
        }

        Assert.Equal(Run(false), Run(true));
    }

    private static FedActors.Actors.Simulation.DeviceSettings DeviceSettingsWithJitter() =>
        FedActors.Actors.Simulation.DeviceSettings.Default with { Jitter = 0.5 };

    [Fact]
    public void Dropped_out_jobs_must_be_detected_at_the_timeout_and_their_slot_refilled()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 4, k: 1), CoreDriver.Sim(dropout: 0.5));
        for (int i = 0; i < 60 && d.Outstanding.Count > 0; i++)
        {
            d.Answer(0);
            Assert.Equal(4, d.Core.InFlight); // every slot busy again after each result
        }
        var c = d.Core.Counters;
        Assert.True(c.JobsDropped > 0, "some jobs must have dropped out");
        // Dropped jobs are never sent to a client.
        Assert.Equal(c.JobsDispatched, d.AllDispatched.Count + c.JobsDropped + d.Core.InFlight - d.Outstanding.Count);
        Assert.True(d.Core.Now >= 100, "dropouts are noticed at the job timeout");
    }

    [Fact]
    public void FedAvg_must_close_the_round_at_n_updates_and_count_the_over_selected_rest_as_late()
    {
        var server = FedAvgSettings.Default with { ClientsPerRound = 2, OverSelection = 0.5 };
        var d = new CoreDriver(server);
        Assert.Equal(3, d.Outstanding.Count); // ceil(2 · 1.5)
        d.Answer(0, value: 1f, samples: 10);
        d.Answer(0, value: 4f, samples: 30);
        Assert.Equal(1, d.Core.Current.Number);
        // Sample-weighted: (10·1 + 30·4) / 40 = 3.25, η = 1.
        Assert.Equal(3.25f, d.Core.Current.Weights[0], 5);
        Assert.Equal(1, d.Core.Counters.UpdatesRejected["late"]);

        // The late client's update arrives after all: ignored, counted once.
        d.Answer(0);
        Assert.Equal(1, d.Core.Counters.UpdatesRejected["late"]);
        Assert.Equal(2, d.Core.Counters.UpdatesApplied);
        Assert.Equal(3, d.Outstanding.Count); // next round
        Assert.All(d.Outstanding, j => Assert.Equal(1, j.Base.Number));
    }

    [Fact]
    public void FedAvg_must_fail_when_rounds_keep_closing_empty()
    {
        // Every job outlasts a 1 µs deadline: without a limit, empty rounds would follow each other forever.
        var server = FedAvgSettings.Default with { ClientsPerRound = 3, RoundDeadline = 1e-6 };
        var d = new CoreDriver(server);
        d.Answer(0);
        Assert.Equal(0, d.Core.Current.Number);
        Assert.Contains("round-deadline", d.Core.FailureReason);
        Assert.Equal(3L * RoundSchedule.MaxConsecutiveEmptyRounds, d.Core.Counters.UpdatesRejected["late"]);
    }

    [Fact]
    public void FedBuff_must_fail_when_results_stay_unusable_for_the_limit_and_say_why()
    {
        // A diverged model: from step 1 on, every update is NaN. Without a limit the run would train forever.
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 4, k: 1));
        d.Answer(0); // step 1
        Assert.Equal(1, d.Core.Current.Number);
        int limit = Math.Max(UnusableResults.MinPerStep, 10 * 4);
        for (int i = 0; i < limit - 1; i++) d.Answer(0, value: float.NaN);
        Assert.Null(d.Core.FailureReason);
        Assert.Empty(d.Finished);
        d.Answer(0, value: float.NaN);
        Assert.Equal(1, d.Core.Current.Number);
        Assert.Equal(limit, d.Core.Counters.UpdatesRejected["non_finite"]);
        Assert.Contains($"{limit:N0} results since server step 1 were unusable (non_finite {limit:N0})", d.Core.FailureReason);
        Assert.Contains("diverged", d.Core.FailureReason);
        // The run ends failed once the jobs still out are settled and the final evaluation is in.
        while (d.Outstanding.Count > 0) d.Answer(0, value: float.NaN);
        foreach (var e in d.EvaluationRequests.ToList()) d.Evaluate(e.ServerStep, 0.1);
        Assert.Equal(RunStatus.Failed, Assert.Single(d.Finished).Status);
    }

    [Fact]
    public void A_run_whose_trainings_always_fail_must_fail_with_the_trainers_error()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 2, k: 1));
        int limit = UnusableResults.MinPerStep;
        for (int i = 0; i < limit; i++)
        {
            var job = d.Outstanding[0];
            d.Outstanding.RemoveAt(0);
            d.Take(d.Core.OnResult(new ClientProtocol.JobFailed(job.Job, job.ClientId, $"client {job.ClientId} has no samples file")));
        }
        Assert.Equal(0, d.Core.Current.Number);
        Assert.Contains($"{limit:N0} results since server step 0 were unusable (failed {limit:N0})", d.Core.FailureReason);
        Assert.Contains("the last with: client ", d.Core.FailureReason);
        Assert.Contains("has no samples file", d.Core.FailureReason);
    }

    [Fact]
    public void Unusable_results_must_be_counted_from_the_last_step_only()
    {
        // Bad clients now and then, a step in between: the count starts again at every step and the run goes on.
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 4, k: 1));
        int limit = Math.Max(UnusableResults.MinPerStep, 10 * 4);
        for (int step = 1; step <= 3; step++)
        {
            for (int i = 0; i < limit - 1; i++) d.Answer(0, value: float.PositiveInfinity);
            d.Answer(0); // a usable update: a step
            Assert.Equal(step, d.Core.Current.Number);
        }
        Assert.Null(d.Core.FailureReason);
        Assert.Empty(d.Finished);
    }

    [Fact]
    public void Selection_must_never_give_a_client_two_jobs_at_once()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 5, k: 1), population: 6);
        var busy = new HashSet<int>(d.Outstanding.Select(j => j.ClientId));
        Assert.Equal(5, busy.Count);
        for (int i = 0; i < 200; i++)
        {
            int before = d.AllDispatched.Count;
            var job = d.Answer(0);
            busy.Remove(job.ClientId);
            foreach (var j in d.AllDispatched.Skip(before))
                Assert.True(busy.Add(j.ClientId), $"client {j.ClientId} got a second job while busy");
        }
    }

    [Fact]
    public void A_duplicate_job_id_must_never_be_applied_twice()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 2, k: 1));
        var job = d.Outstanding[1];
        var update = d.UpdateFor(job);
        d.Send(update); // held (job 0 not in yet)
        d.Send(update); // duplicate while held
        d.Answer(0);
        d.Send(update); // duplicate after being applied
        Assert.Equal(2, d.Core.Counters.UpdatesApplied);
        Assert.Equal(2, d.Core.Counters.UpdatesRejected["duplicate"]);
    }

    [Fact(DisplayName = "The coordinator must decode each update through the run's pipeline before the strategy sees it, and refuse what does not decode as malformed")]
    public void Updates_must_be_decoded_before_aggregation()
    {
        var run = RunSettings.Default with
        {
            MaxServerSteps = 1000, EvalEverySteps = 1000, TargetAccuracy = null, Transforms = UpdatePipelineSettings.Of(SignFlipSettings.Instance),
        };
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 2, k: 1), run: run);
        var first = d.Outstanding[0];
        var second = d.Outstanding[1];
        d.Outstanding.Clear();

        // What a sign-flipping client sends for Δ = [1, 1]: the server must apply +1, not −1.
        d.Send(d.UpdateFor(first, value: -1f));
        // A sparse payload is nothing sign-flip produces.
        d.Send(d.UpdateFor(second) with { Payload = new SparsePayload(2, [0], [1f]) });

        Assert.Equal([1f, 1f], d.Core.Current.Weights);
        Assert.Equal(1, d.Core.Counters.UpdatesRejected["malformed"]);
        Assert.Equal(1, d.Core.Counters.UpdatesApplied);
    }

    [Fact]
    public void Bad_updates_must_be_rejected_with_a_reason_and_free_their_slot()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 3, k: 1));
        var a = d.Outstanding[0];
        var b = d.Outstanding[1];
        var c = d.Outstanding[2];
        d.Outstanding.RemoveRange(0, 3);
        d.Send(d.UpdateFor(a, length: 5));
        d.Send(d.UpdateFor(b, value: float.NaN));
        d.Send(d.UpdateFor(c) with { Job = new JobId(999) });
        var r = d.Core.Counters.UpdatesRejected;
        Assert.Equal(1, r["wrong_length"]);
        Assert.Equal(1, r["non_finite"]);
        Assert.Equal(1, r["unknown_job"]);
        Assert.Equal(0, d.Core.Current.Number);
        Assert.Equal(3, d.Core.InFlight);
    }

    [Fact]
    public void FedBuff_must_name_an_update_whose_weighted_sum_overflows_non_finite_and_count_it_as_unusable()
    {
        // Each update is finite on its own; the second one's sum with the first is not.
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 3, k: 3));
        var a = d.Outstanding[0];
        var b = d.Outstanding[1];
        d.Outstanding.RemoveRange(0, 2);
        d.Send(d.UpdateFor(a, value: float.MaxValue, samples: 1));
        d.Send(d.UpdateFor(b, value: float.MaxValue, samples: 1));
        Assert.Equal(1, d.Core.Counters.UpdatesApplied);
        Assert.Equal(new KeyValuePair<string, long>("non_finite", 1), Assert.Single(d.Core.Counters.UpdatesRejected));
        Assert.Equal(0, d.Core.Current.Number);
    }

    [Fact]
    public void FedAsync_must_mix_with_the_base_version_and_release_it_when_no_job_needs_it()
    {
        var server = FedAsyncSettings.Default with { Concurrency = 2, Alpha = 0.5, Staleness = StalenessSettings.Default with { Weight = new ConstantStaleness() } };
        var d = new CoreDriver(server, initial: 1f);
        d.Answer(0, value: 2f); // x1 = 0.5·1 + 0.5·(1 + 2) = 2
        Assert.Equal(2f, d.Core.Current.Weights[0], 5);
        Assert.Equal(2, d.Core.RetainedVersions); // job on v0 still in flight, new job on v1
        d.Answer(0, value: 0f); // base v0: x2 = 0.5·2 + 0.5·(1 + 0) = 1.5
        Assert.Equal(1.5f, d.Core.Current.Weights[0], 5);
        Assert.All(d.Outstanding, j => Assert.True(j.Base.Number >= 1));
        Assert.Equal(d.Outstanding.Select(j => j.Base.Number).Distinct().Count(), d.Core.RetainedVersions);
    }

    [Fact]
    public void Evaluations_must_be_recorded_in_step_order_and_the_run_must_end_after_max_steps()
    {
        var run = RunSettings.Default with { MaxServerSteps = 4, EvalEverySteps = 2, TargetAccuracy = 0.5 };
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 2, k: 1), run: run);
        for (int i = 0; i < 4; i++) d.Answer(0);
        Assert.Equal(new long[] { 0, 2, 4 }, d.EvaluationRequests.Select(e => e.ServerStep));
        d.Evaluate(4, 0.9);
        d.Evaluate(2, 0.6);
        Assert.Empty(d.Records); // step 0 still pending
        Assert.Empty(d.Finished);
        d.Evaluate(0, 0.1);
        Assert.Equal(new long[] { 0, 2, 4 }, d.Records.Select(r => r.ServerStep));
        Assert.Equal(2, d.Core.Target!.ServerStep);
        Assert.Equal(2, d.Core.Target.Updates);
        Assert.Equal(RunStatus.Completed, Assert.Single(d.Finished).Status);
    }

    [Fact]
    public void Stop_at_target_must_hold_results_during_each_evaluation_and_end_at_the_first_step_that_reaches_it()
    {
        var run = RunSettings.Default with { MaxServerSteps = 100, EvalEverySteps = 2, TargetAccuracy = 0.5, StopAtTarget = true };
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 4, k: 1), run: run);
        d.Evaluate(0, 0.1);
        d.Answer(0);
        d.Answer(0);
        Assert.Equal(2, d.Core.Current.Number);
        // Step 2's evaluation is pending: further results are held, however many arrive.
        d.Answer(0);
        d.Answer(0);
        Assert.Equal(2, d.Core.Current.Number);
        d.Evaluate(2, 0.3);
        Assert.Equal(4, d.Core.Current.Number); // below target: the held results were applied
        Assert.Empty(d.Finished);
        d.Answer(0);
        d.Evaluate(4, 0.7);
        Assert.Equal(4, d.Core.Current.Number); // the result that arrived meanwhile was never applied
        Assert.Equal(4, d.Core.Target!.ServerStep);
        Assert.Equal(RunStatus.Completed, Assert.Single(d.Finished).Status);
        Assert.Equal(new long[] { 0, 2, 4 }, d.Records.Select(r => r.ServerStep));
    }

    [Fact]
    public void Stop_must_evaluate_the_current_version_and_finish_as_stopped()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 2, k: 1));
        d.Answer(0);
        d.Take(d.Core.RequestStop());
        Assert.Equal(1, d.EvaluationRequests[^1].ServerStep);
        d.Evaluate(0, 0.1);
        d.Evaluate(1, 0.2);
        Assert.Equal(RunStatus.Stopped, Assert.Single(d.Finished).Status);
    }

    [Fact]
    public void Diagnostics_must_report_staleness_histogram_norms_and_participation()
    {
        var run = RunSettings.Default with { MaxServerSteps = 100, EvalEverySteps = 2, TargetAccuracy = null };
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 2, k: 2), run: run);
        for (int i = 0; i < 4; i++) d.Answer(0, value: i + 1);
        d.Evaluate(0, 0.1);
        d.Evaluate(2, 0.2);
        var diag = d.Records[1].Diagnostics;
        Assert.Equal(4, diag.Updates);
        Assert.Equal(4, diag.StalenessHistogram.Values.Sum());
        // Norms are |v|·√2 for v = 1..4: mean 2.5√2, variance 1.25·2.
        Assert.Equal(2.5 * Math.Sqrt(2), diag.MeanUpdateNorm, 6);
        Assert.Equal(2.5, diag.UpdateNormVariance, 6);
        Assert.Equal(1.0, diag.MeanCosineToAggregate!.Value, 5); // all updates point the same way
        Assert.True(diag.ParticipatingClients >= 1);
        Assert.Equal(4 * WireSize.OfUpdate(new DensePayload(new float[2])), d.Records[1].BytesUp);
    }
    [Fact(DisplayName = "A core with a wire meter must count the meter's bytes on top of its checkpoint, not the per-job estimate")]
    public void Wire_meter_must_replace_the_estimate()
    {
        var run = RunSettings.Default with { MaxServerSteps = 100, EvalEverySteps = 100, TargetAccuracy = null };
        var meter = new Meter();
        var estimating = new CoordinatorCore(run, CoreDriver.FedBuff(concurrency: 2, k: 1), CoreDriver.Sim(), new FixedPopulation(10), new float[2]);
        var measured = new CoordinatorCore(run, CoreDriver.FedBuff(concurrency: 2, k: 1), CoreDriver.Sim(), new FixedPopulation(10), new float[2]) { Meter = meter };
        var steps = new List<CoordinatorEffects.StepCommitted>();
        foreach (var core in new[] { estimating, measured })
        {
            var job = core.Start().OfType<CoordinatorEffects.DispatchJob>().First().Job;
            if (core == measured)
            {
                Assert.Equal((0L, 0L), (measured.Counters.BytesUp, measured.Counters.BytesDown));
                (meter.BytesUp, meter.BytesDown) = (1234, 567);
            }
            steps.AddRange(core.OnResult(new ClientProtocol.ClientUpdate(job.Job, job.ClientId, job.Base.Number, new DensePayload([1f, 1f]),
                new FedActors.Training.LocalTraining.LocalTrainingStats(32, 4, 0.1, 1, 0.1))).OfType<CoordinatorEffects.StepCommitted>());
        }
        Assert.Equal((WireSize.OfUpdate(new DensePayload(new float[2])), 3 * WireSize.Of(2)), (estimating.Counters.BytesUp, estimating.Counters.BytesDown));
        Assert.Equal((1234L, 567L), (measured.Counters.BytesUp, measured.Counters.BytesDown));
        // The step's checkpoint carries the measured bytes, so a coordinator restored from it goes on from them.
        Assert.Equal((1234L, 567L), (steps[^1].Checkpoint.Counters.BytesUp, steps[^1].Checkpoint.Counters.BytesDown));
    }

    private sealed class Meter : IWireMeter
    {
        public long BytesUp { get; set; }

        public long BytesDown { get; set; }

        public void Close() { }
    }
}
