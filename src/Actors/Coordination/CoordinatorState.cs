using FedActors.Actors.Aggregation;
using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Coordination;

/// <summary>
/// What the coordinator's decisions act on: jobs in flight, scheduled events, counts, diagnostics, participation and
/// evaluations; and how that state becomes a checkpoint at a step boundary and comes back from one.
/// </summary>
internal sealed class CoordinatorState
{
    // Whether a checkpoint was taken (or restored): after that, checkpoints list what changed only (see CoordinatorCheckpoint.IsDelta).
    private bool _checkpointed;
    private long _checkpointNextJob;

    public JobsInFlight Jobs { get; } = new();

    public EventSchedule Events { get; } = new();

    public RunTally Tally { get; } = new();

    public UpdateTraffic Traffic { get; } = new();

    public DriftWindow Drift { get; } = new();

    /// <summary>
    /// Contributions per client: updates applied, or, when <see cref="ChargesReleases"/>, updates sent (every job dispatched
    /// to a device that does not drop out), which is what local DP's accountant composes over.
    /// </summary>
    public ParticipationCounts Participation { get; } = new();

    /// <summary>Local DP: a client's update is charged when its job goes out, since the client releases it whatever the server then does with it.</summary>
    public bool ChargesReleases { get; init; }

    public LastResults LastResults { get; } = new();

    public EvaluationLog Evaluations { get; } = new();

    /// <summary>The id the next dispatched job gets.</summary>
    public long NextJob { get; set; }

    /// <summary>A retry event is scheduled (there is at most one).</summary>
    public bool RetryPending { get; set; }

    /// <summary>
    /// The job in flight that awaits the result of <paramref name="job"/>, or null when none does: the job was given up
    /// (counted then; its late answer is ignored once), is unknown, or has answered already (both counted as rejected).
    /// </summary>
    public InFlightJob? Awaited(JobId job)
    {
        long id = job.Value;
        if (Jobs.ForgetAbandoned(id)) return null;
        if (Jobs.TryGet(id, out var awaited) && awaited.Result is null && !awaited.Dropped) return awaited;
        Tally.Reject((awaited is null ? id < 0 || id >= NextJob : awaited.Dropped) ? "unknown_job" : "duplicate");
        return null;
    }

    /// <summary>
    /// A job left the jobs in flight without a usable answer: it timed out, or (<paramref name="late"/>) its round closed.
    /// A device that dropped out never got the job; any other may still answer, and that answer will be ignored.
    /// </summary>
    public void GaveUp(InFlightJob job, bool late)
    {
        if (job.Dropped || !late) Tally.JobsDropped++;
        else Tally.Reject("late");
        if (!job.Dropped && job.Result is null) Jobs.Abandon(job.Id);
    }

    /// <summary>The cumulative counters at server step <paramref name="serverStep"/>, time <paramref name="now"/>.</summary>
    public RunCounters Counters(long serverStep, double now) =>
        new(serverStep, Tally.UpdatesApplied, new SortedDictionary<string, long>(Tally.Rejected.ToDictionary(), StringComparer.Ordinal),
            Tally.DroppedStale, Tally.JobsDispatched, Tally.JobsDropped, Tally.SamplesTrained, Tally.TrainSeconds, Traffic.BytesUp, Traffic.BytesDown, now,
            Tally.Defense, Participation.Max);

    /// <summary>The update of <paramref name="job"/> went into the aggregate of step <paramref name="step"/>.</summary>
    public AppliedUpdate Applied(InFlightJob job, long step, int staleness, double updateNorm)
    {
        Tally.UpdatesApplied++;
        Drift.Applied(staleness, updateNorm);
        if (!ChargesReleases) Participation.Applied(job.ClientId);
        return new AppliedUpdate(step, new JobId(job.Id), job.ClientId, job.Base.Number, staleness);
    }

    /// <summary>The record of an evaluation of <paramref name="step"/> requested now, accuracy and loss not yet known; the drift window starts over.</summary>
    public EvaluationRecord EvaluationSnapshot(long step, double now)
    {
        var (diagnostics, meanStaleness, maxStaleness) = Drift.Take(Participation, Tally.RejectedTotal, Tally.DroppedStale, Tally.JobsDropped);
        return new EvaluationRecord(step, now, 0, Tally.UpdatesApplied, double.NaN, double.NaN,
            meanStaleness, maxStaleness, Traffic.BytesUp, Traffic.BytesDown, diagnostics, Defense: Tally.Defense);
    }

    /// <summary>
    /// The work a resumed core still owes: an evaluation request for each evaluation without a result, and a dispatch
    /// for each job in flight that was sent and has not answered, in id order, with its virtual finish time.
    /// </summary>
    /// <param name="optionsOf">The local training options of a job, by id (a straggler's may be less than the run's).</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="sent">What clients receive for a version (its compressed broadcast, when the downlink is compressed).</param>
    public IEnumerable<CoordinatorEffects.ICoordinatorEffect> Outstanding(Func<long, LocalTrainingOptions> optionsOf, ulong seed, Func<ModelVersion, ModelVersion> sent)
    {
        foreach (var (step, version) in Evaluations.Outstanding) yield return new CoordinatorEffects.EvaluateModel(version, step);
        // Virtual clock: the finish events say when each result will be applied (the pool's training order).
        var applyAt = new Dictionary<long, double>();
        foreach (var e in Events)
            if (e.Kind == (int)EventKind.Finish) applyAt[e.Id] = e.Time;
        foreach (var job in Jobs.InIdOrder)
            if (!job.Dropped && job.Result is null && !Jobs.IsAbandoned(job.Id))
                yield return new CoordinatorEffects.DispatchJob(new ClientProtocol.TrainJob(new JobId(job.Id), job.ClientId, sent(job.Base), optionsOf(job.Id), seed)
                    { ApplyAt = applyAt.GetValueOrDefault(job.Id), PreviousJob = job.PreviousJob });
    }

    /// <summary>
    /// The state right after the step that published <paramref name="current"/>. The first checkpoint lists everything;
    /// later ones list what changed since the one before (a step touches a few jobs while thousands may be in flight,
    /// and listing them all at every step cost more than the step).
    /// </summary>
    public CoordinatorCheckpoint ToCheckpoint(ModelVersion current, double now, RunLifecycle lifecycle, CheckpointRound round, ServerOptimizerState? optimizer)
    {
        // The retained versions are the in-flight jobs' bases (counted as they are dispatched and released), the
        // current version and those of evaluations still pending: no pass over the jobs in flight.
        var retained = new List<long> { current.Number };
        foreach (var v in Jobs.VersionsInUse)
            if (v != current.Number) retained.Add(v);
        foreach (var v in Evaluations.VersionsInUse)
            if (!retained.Contains(v)) retained.Add(v);
        retained.Sort();
        bool delta = _checkpointed;
        var (jobs, removedJobs, abandoned, removedAbandoned) = Jobs.TakeCheckpoint(full: !delta, _checkpointNextJob);
        var (eventsAdded, eventsRemoved) = Events.Changes.Take();
        _checkpointed = true;
        _checkpointNextJob = NextJob;
        return new CoordinatorCheckpoint
        {
            ServerStep = current.Number,
            Now = now,
            NextJob = NextJob,
            InFlight = jobs,
            Events = delta ? eventsAdded : Events.ToCheckpoint(),
            Abandoned = abandoned,
            IsDelta = delta,
            RemovedJobs = removedJobs,
            RemovedEvents = delta ? eventsRemoved : [],
            RemovedAbandoned = removedAbandoned,
            Round = round,
            Counters = Tally.ToCheckpoint(Traffic.BytesUp, Traffic.BytesDown),
            Window = Drift.ToCheckpoint(),
            ParticipationChanges = Participation.TakeChanges(),
            MaxParticipation = Participation.Max,
            LastResultChanges = LastResults.TakeChanges(),
            PendingEvaluations = Evaluations.PendingToCheckpoint(),
            NewRecords = Evaluations.TakeNewRecords(),
            LastEvaluationRequested = Evaluations.LastRequested,
            Finishing = lifecycle.Finishing,
            Finished = lifecycle.Finished,
            Status = lifecycle.Status,
            FailureReason = lifecycle.FailureReason,
            Target = Evaluations.Target,
            Optimizer = optimizer,
            RetainedVersions = retained.ToArray(),
        };
    }

    /// <summary>Puts back a full checkpoint's state; the restored state counts as checkpointed.</summary>
    /// <param name="checkpoint">The latest checkpoint, in full.</param>
    /// <param name="version">The weights of a retained version by number.</param>
    /// <param name="dimension">The model's parameter count.</param>
    /// <param name="participation">Applied updates per client, folded from all checkpoints.</param>
    /// <param name="records">Evaluation records, folded from all checkpoints.</param>
    /// <param name="lastResults">Each client's last taken result, folded from all checkpoints.</param>
    public void Restore(CoordinatorCheckpoint checkpoint, Func<long, ModelVersion> version, int dimension,
        IReadOnlyDictionary<int, int> participation, IReadOnlyList<EvaluationRecord> records, IReadOnlyDictionary<int, long> lastResults)
    {
        LastResults.Restore(lastResults);
        NextJob = checkpoint.NextJob;
        Jobs.Restore(checkpoint, version, dimension);
        RetryPending = Events.Restore(checkpoint.Events);
        Tally.Restore(checkpoint.Counters);
        Traffic.Restore(checkpoint.Counters);
        Drift.Restore(checkpoint.Window);
        Participation.Restore(participation, checkpoint.MaxParticipation);
        Evaluations.Restore(records, checkpoint, version);
        _checkpointed = true;
        _checkpointNextJob = checkpoint.NextJob;
    }
}

/// <summary>Where the run stands in its life: going, winding down (final evaluation pending), or over.</summary>
/// <param name="Finishing">No new work: the run winds down.</param>
/// <param name="Finished">The run is over.</param>
/// <param name="Status">The status it ends (or ended) with.</param>
/// <param name="FailureReason">Why it failed, when it did.</param>
internal readonly record struct RunLifecycle(bool Finishing, bool Finished, RunStatus Status, string? FailureReason);
