using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Coordination;

/// <summary>
/// When the coordinator dispatches jobs and when a step closes, for one kind of <see cref="Participation"/>:
/// <see cref="ContinuousSchedule"/> keeps a number of jobs in flight, <see cref="CohortSchedule"/> keeps asynchronous
/// cohorts in flight, <see cref="RoundSchedule"/> runs synchronous rounds.
/// It acts through the coordinator (<see cref="IScheduleHost"/>) and keeps only its own counts.
/// </summary>
internal interface IJobSchedule
{
    /// <summary>The round new jobs belong to; 0 when jobs are not in rounds.</summary>
    long Round { get; }

    /// <summary>Dispatches what the schedule wants in flight now (not called while the run is finishing).</summary>
    void Refill(IScheduleHost host);

    /// <summary>A job was resolved (applied, rejected, failed or expired); not called while the run is finishing.</summary>
    void AfterResolution(IScheduleHost host);

    /// <summary>The strategy has what its next step needs.</summary>
    void StepDue(IScheduleHost host);

    /// <summary>The deadline of round <paramref name="round"/> fell due.</summary>
    void DeadlineDue(long round, IScheduleHost host);

    /// <summary>A job of round <paramref name="jobRound"/> left the jobs in flight.</summary>
    void Released(long jobRound);

    /// <summary>True when a result of a job of <paramref name="jobRound"/> comes too late to count.</summary>
    bool IsLate(long jobRound);

    /// <summary>
    /// True when an update that arrives is parked in its job (<see cref="InFlightJob.Parked"/>) until the schedule closes
    /// the job's group (<see cref="IScheduleHost.CloseCohort"/>), instead of going to the strategy at once.
    /// </summary>
    bool HoldsResults => false;

    /// <summary>An update of a job of <paramref name="jobRound"/> was parked (only when <see cref="HoldsResults"/>).</summary>
    void Parked(long jobRound) { }

    /// <summary>
    /// True while a group that is due to close waits for parked results a restored coordinator lost: under the virtual
    /// clock nothing else may happen before it closes.
    /// </summary>
    bool Blocked => false;

    /// <summary>The schedule's state at a step boundary.</summary>
    CheckpointRound ToCheckpoint();

    /// <summary>Continues from a checkpoint's state and the restored jobs in flight.</summary>
    void Restore(CheckpointRound round, IReadOnlyCollection<InFlightJob> jobs);
}

/// <summary>What a schedule may ask of the coordinator.</summary>
internal interface IScheduleHost
{
    /// <summary>Current (virtual or wall) seconds.</summary>
    double Now { get; }

    /// <summary>Jobs in flight.</summary>
    int InFlight { get; }

    /// <summary>True once the run winds down: no new work.</summary>
    bool Finishing { get; }

    /// <summary>Updates the strategy has taken since the last step.</summary>
    int PendingUpdates { get; }

    /// <summary>Dispatches one job of round <paramref name="round"/> to a client chosen by the coordinator; false when no client is free.</summary>
    bool TryDispatch(long round);

    /// <summary>
    /// Dispatches one job of round <paramref name="round"/> to each free member of a Poisson sample in which every client
    /// is independently with probability <paramref name="expected"/>/N; returns the jobs dispatched.
    /// </summary>
    int DispatchPoisson(long round, int expected);

    /// <summary>Tries to dispatch again a little later (one retry pending at a time).</summary>
    void ScheduleRetry();

    /// <summary>Calls <see cref="IJobSchedule.DeadlineDue"/> for <paramref name="round"/> at <paramref name="time"/>.</summary>
    void ScheduleDeadline(long round, double time);

    /// <summary>Resolves every job of <paramref name="round"/> still in flight as late (or dropped, for a device that dropped out).</summary>
    void ReleaseLate(long round);

    /// <summary>Aggregates what the strategy took and publishes the next model version.</summary>
    void Step();

    /// <summary>
    /// Offers the strategy the parked updates of <paramref name="round"/> in job order and releases their jobs (the
    /// schedule then asks for the step); false, changing nothing, when a parked update is missing (a restored
    /// coordinator waits for it again).
    /// </summary>
    /// <param name="round">The cohort.</param>
    /// <param name="updates">How many parked updates it offered.</param>
    bool CloseCohort(long round, out int updates);

    /// <summary>Ends the run as failed, for <paramref name="reason"/>.</summary>
    void Fail(string reason);
}
