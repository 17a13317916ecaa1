using FedActors.Actors.Aggregation;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;

namespace FedActors.Actors.Tests.Coordination;

/// <summary>FedBuff in asynchronous cohorts: jobs go out in groups at one version, and each group makes one step.</summary>
public sealed class CohortScheduleTests
{
    private static FedBuffSettings Cohorts(int size, int inFlight, double? deadline = null) =>
        FedBuffSettings.Default with { CohortSize = size, CohortsInFlight = inFlight, CohortDeadline = deadline };

    [Fact(DisplayName = "Cohorts must train at one version each, step once per cohort with its updates alone, and overlap")]
    public void Each_cohort_makes_one_step()
    {
        var d = new CoreDriver(Cohorts(size: 3, inFlight: 2));
        Assert.Equal(6, d.Outstanding.Count);
        Assert.All(d.Outstanding, j => Assert.Equal(0, j.Base.Number));

        // Cohort 1 is jobs 0-2, cohort 2 jobs 3-5; constant durations finish them in id order.
        d.Answer(0, value: 1f);
        d.Answer(0, value: 2f);
        Assert.Equal(0, d.Core.Current.Number); // two of three: the cohort waits
        d.Answer(0, value: 3f);
        Assert.Equal(1, d.Core.Current.Number);
        // Equal samples, staleness 0, sgd η = 1: w1 = mean(1, 2, 3) = 2.
        Assert.Equal([2f, 2f], d.Core.Current.Weights);
        // Cohort 3 opened at version 1 while cohort 2 still trains from version 0.
        Assert.Equal(6, d.Outstanding.Count);
        Assert.Equal([0L, 0, 0, 1, 1, 1], d.Outstanding.Select(j => j.Base.Number));

        d.Answer(0, value: 4f);
        d.Answer(0, value: 4f);
        d.Answer(0, value: 4f);
        Assert.Equal(2, d.Core.Current.Number);
        // Cohort 2 shares staleness 1: inverse-sqrt weight 1/√2 on the mean 4.
        Assert.Equal(2f + 4f / MathF.Sqrt(2f), d.Core.Current.Weights[0], 5);
        Assert.Equal(6, d.Core.Counters.UpdatesApplied);
    }

    [Fact(DisplayName = "A cohort must close without its failed member, and a member that reports after the deadline must count as late")]
    public void Failures_and_deadlines_close_a_cohort()
    {
        var d = new CoreDriver(Cohorts(size: 3, inFlight: 1));
        var failed = d.Outstanding[1];
        d.Outstanding.RemoveAt(1);
        d.Take(d.Core.OnResult(new ClientProtocol.JobFailed(failed.Job, failed.ClientId, "out of memory")));
        d.Answer(0, value: 1f);
        d.Answer(0, value: 3f);
        Assert.Equal(1, d.Core.Current.Number);
        Assert.Equal([2f, 2f], d.Core.Current.Weights);

        // A deadline shorter than any job: every cohort closes empty, its members late, until the run gives up.
        var late = new CoreDriver(Cohorts(size: 2, inFlight: 1, deadline: 1e-3));
        var finished = Assert.Single(late.Finished.Count == 0 ? FinishAfterEvaluations(late) : late.Finished);
        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Contains("cohorts.deadline", late.Core.FailureReason);
        Assert.Equal(0, late.Core.Current.Number);
        Assert.Equal(2 * RoundSchedule.MaxConsecutiveEmptyRounds, late.Core.Counters.UpdatesRejected["late"]);
    }

    [Fact(DisplayName = "Under the wall clock a parked update must outlive its job's timeout, and a cohort's deadline must close it with whoever reported")]
    public void Wall_clock_parks_until_the_deadline()
    {
        var sim = CoreDriver.Sim() with { Clock = FedActors.Actors.Simulation.ClockMode.Wall };
        var d = new CoreDriver(Cohorts(size: 3, inFlight: 1, deadline: 50), sim);
        var jobs = d.Outstanding.ToList();
        d.Take(d.Core.OnResult(d.UpdateFor(jobs[0], value: 1f), now: 1));
        d.Take(d.Core.OnResult(d.UpdateFor(jobs[1], value: 3f), now: 2));
        Assert.Equal(0, d.Core.Current.Number);
        // The deadline (50 s) falls before the jobs' timeout (100 s): the cohort steps with its two updates.
        d.Take(d.Core.OnTick(60));
        Assert.Equal(1, d.Core.Current.Number);
        Assert.Equal([2f, 2f], d.Core.Current.Weights);
        Assert.Equal(1, d.Core.Counters.UpdatesRejected["late"]);
        // The third member's answer comes too late to count for anything.
        d.Take(d.Core.OnResult(d.UpdateFor(jobs[2], value: 9f), now: 61));
        Assert.Equal(2, d.Core.Counters.UpdatesApplied);

        // Without a deadline, a parked update waits past its job's timeout for the member that is still training.
        var slow = new CoreDriver(Cohorts(size: 2, inFlight: 1), sim);
        var pair = slow.Outstanding.ToList();
        slow.Take(slow.Core.OnResult(slow.UpdateFor(pair[0], value: 1f), now: 1));
        slow.Take(slow.Core.OnTick(101)); // both jobs' timeouts (100 s) fall due: only the unreported one expires
        Assert.Equal(1, slow.Core.Current.Number);
        Assert.Equal([1f, 1f], slow.Core.Current.Weights);
        Assert.Equal(1, slow.Core.Counters.JobsDropped);
    }

    private static List<CoordinatorEffects.RunFinished> FinishAfterEvaluations(CoreDriver d)
    {
        foreach (var e in d.EvaluationRequests.Where(e => d.Core.IsAwaitingEvaluation(e.ServerStep)).ToList()) d.Evaluate(e.ServerStep, 0.5);
        return d.Finished;
    }
}
