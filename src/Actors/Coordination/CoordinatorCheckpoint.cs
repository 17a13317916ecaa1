using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Coordination;

/// <summary>
/// The coordinator's state right after a server step, without model weights (versions are named by
/// number) and with the growing logs as deltas since the previous checkpoint. Together with the weights
/// of the versions in <see cref="RetainedVersions"/>, the participation and the evaluation records folded
/// from all checkpoints so far, it restores a <see cref="CoordinatorCore"/> that goes on exactly as the
/// original did.
/// </summary>
/// <remarks>
/// A step boundary is the one moment the aggregation strategy holds no update, so no client update is part of
/// it: results that had arrived but were still held for their virtual finish time are marked
/// <see cref="CheckpointJob.Arrived"/>; they are either replayed from the journal (durability
/// <c>update</c>) or trained again (durability <c>step</c>), which gives the same bits.
/// </remarks>
public sealed record CoordinatorCheckpoint
{
    /// <summary>The version published by this step.</summary>
    public required long ServerStep { get; init; }

    /// <summary>Virtual (or wall) seconds at the step.</summary>
    public required double Now { get; init; }

    /// <summary>The id the next dispatched job gets.</summary>
    public required long NextJob { get; init; }

    /// <summary>Jobs dispatched and not yet resolved, by id (of a delta: those dispatched or changed since the previous step).</summary>
    public required IReadOnlyList<CheckpointJob> InFlight { get; init; }

    /// <summary>The scheduler's timed events (finish, timeout, deadline, retry), in firing order (of a delta: those scheduled since the previous step).</summary>
    public required IReadOnlyList<CheckpointEvent> Events { get; init; }

    /// <summary>Wall clock: jobs given up whose late answers are to be ignored, ascending (of a delta: those given up since the previous step).</summary>
    public required IReadOnlyList<long> Abandoned { get; init; }

    /// <summary>The synchronous-round state (FedAvg).</summary>
    public required CheckpointRound Round { get; init; }

    /// <summary>Cumulative counters.</summary>
    public required CheckpointCounters Counters { get; init; }

    /// <summary>Diagnostics gathered since the last evaluation request.</summary>
    public required CheckpointWindow Window { get; init; }

    /// <summary>Clients whose applied-update count changed since the previous checkpoint, with the new count.</summary>
    public required IReadOnlyList<ParticipationCount> ParticipationChanges { get; init; }

    /// <summary>Most updates applied from any one client.</summary>
    public required int MaxParticipation { get; init; }

    /// <summary>Clients whose last taken result changed since the previous checkpoint, with that job (all of them in a snapshot's fold).</summary>
    public IReadOnlyList<ClientJob> LastResultChanges { get; init; } = [];

    /// <summary>Evaluations requested and not yet recorded, in step order.</summary>
    public required IReadOnlyList<CheckpointEvaluation> PendingEvaluations { get; init; }

    /// <summary>Evaluation records completed since the previous checkpoint.</summary>
    public required IReadOnlyList<EvaluationRecord> NewRecords { get; init; }

    /// <summary>The step of the newest evaluation request.</summary>
    public required long LastEvaluationRequested { get; init; }

    /// <summary>The run is winding down (final evaluation pending) or over.</summary>
    public required bool Finishing { get; init; }

    /// <summary>The run is over.</summary>
    public required bool Finished { get; init; }

    /// <summary>Status the run ends (or ended) with.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Why the run failed, when it did.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The first evaluation at or above the target, if reached.</summary>
    public TargetReached? Target { get; init; }

    /// <summary>The strategy's server-optimizer state after this step (null for FedAsync, which has none).</summary>
    public ServerOptimizerState? Optimizer { get; init; }

    /// <summary>The state a strategy wrapper carries across steps (adaptive clipping's clip norm), or null.</summary>
    public WrapperState? Wrapper { get; init; }

    /// <summary>Versions whose weights a restore needs: this step's, in-flight jobs' bases, pending evaluations'.</summary>
    public required IReadOnlyList<long> RetainedVersions { get; init; }

    /// <summary>
    /// True when <see cref="InFlight"/>, <see cref="Events"/> and <see cref="Abandoned"/> hold only what changed since the
    /// previous step's checkpoint: jobs dispatched or changed, events scheduled, jobs given up, with what left them in
    /// <see cref="RemovedJobs"/>, <see cref="RemovedEvents"/> and <see cref="RemovedAbandoned"/>. A step changes a few
    /// jobs while thousands may be in flight, so a journaled step costs what it changed, not the whole population in
    /// flight. False (a full checkpoint) for a run's first step and in snapshots; only a full checkpoint restores a core.
    /// </summary>
    public bool IsDelta { get; init; }

    /// <summary>Of a delta: ids of the jobs in flight at the previous checkpoint that are resolved now, ascending.</summary>
    public IReadOnlyList<long> RemovedJobs { get; init; } = [];

    /// <summary>Of a delta: events scheduled at the previous checkpoint that have fired since, in firing order.</summary>
    public IReadOnlyList<CheckpointEvent> RemovedEvents { get; init; } = [];

    /// <summary>Of a delta: given-up jobs listed at the previous checkpoint whose late result has come in since, ascending.</summary>
    public IReadOnlyList<long> RemovedAbandoned { get; init; } = [];
}

/// <summary>A job in flight at a checkpoint.</summary>
/// <param name="Id">Job id.</param>
/// <param name="ClientId">The client training it.</param>
/// <param name="BaseVersion">The model version it trains from.</param>
/// <param name="Round">Synchronous round (0 for strategies that run no rounds).</param>
/// <param name="Dropped">The device drops out: the job was never sent and will time out.</param>
/// <param name="Arrived">Its result had arrived and was held for its turn.</param>
public readonly record struct CheckpointJob(long Id, int ClientId, long BaseVersion, long Round, bool Dropped, bool Arrived)
{
    /// <summary>The client's last job whose result the coordinator had taken when it sent this one, or −1.</summary>
    public long PreviousJob { get; init; } = -1;
}

/// <summary>A client and one of its jobs: the last whose result the coordinator took.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="Job">The job.</param>
public readonly record struct ClientJob(int ClientId, long Job);

/// <summary>A scheduled event of the coordinator.</summary>
/// <param name="Time">When it fires (virtual or wall seconds).</param>
/// <param name="Kind">0 finish, 1 timeout, 2 round deadline, 3 retry.</param>
/// <param name="Id">Job id (finish, timeout), round (deadline) or an ordering id (retry).</param>
public readonly record struct CheckpointEvent(double Time, int Kind, long Id) : IComparable<CheckpointEvent>
{
    /// <summary>Firing order: by time, then kind, then id (the order checkpoints list events in).</summary>
    /// <param name="other">The event to compare with.</param>
    public int CompareTo(CheckpointEvent other)
    {
        int c = Time.CompareTo(other.Time);
        if (c != 0) return c;
        c = Kind.CompareTo(other.Kind);
        return c != 0 ? c : Id.CompareTo(other.Id);
    }
}

/// <summary>The synchronous-round state (<see cref="RoundSchedule"/>); all zero for strategies that run no rounds.</summary>
/// <param name="Number">Current round.</param>
/// <param name="Open">A round is open.</param>
/// <param name="Outstanding">Round jobs not yet resolved.</param>
/// <param name="EmptyRounds">Rounds in a row that closed without an update.</param>
/// <remarks>A round's updates are the strategy's, and a step boundary holds none, so they are not part of it.</remarks>
public sealed record CheckpointRound(long Number, bool Open, int Outstanding, int EmptyRounds);

/// <summary>Cumulative counters at a checkpoint.</summary>
/// <param name="Rejected">Reason → rejected updates.</param>
/// <param name="UpdatesApplied">Updates aggregated.</param>
/// <param name="DroppedStale">Updates dropped for staleness.</param>
/// <param name="JobsDispatched">Jobs issued.</param>
/// <param name="JobsDropped">Jobs that never reported.</param>
/// <param name="SamplesTrained">Samples of the updates received.</param>
/// <param name="TrainSeconds">Compute seconds of the updates received.</param>
/// <param name="BytesUp">Update bytes received.</param>
/// <param name="BytesDown">Model bytes sent.</param>
/// <param name="Filtered">Updates a robust aggregator left out of their step (<see cref="DefenseCounts"/>).</param>
/// <param name="MaliciousTaken">Updates of malicious clients taken.</param>
/// <param name="MaliciousFiltered">Malicious updates left out of their step.</param>
public sealed record CheckpointCounters(
    IReadOnlyDictionary<string, long> Rejected, long UpdatesApplied, long DroppedStale, long JobsDispatched, long JobsDropped,
    long SamplesTrained, double TrainSeconds, long BytesUp, long BytesDown, long Filtered = 0, long MaliciousTaken = 0, long MaliciousFiltered = 0);

/// <summary>Diagnostics accumulated since the last evaluation request.</summary>
/// <param name="StalenessHistogram">Staleness → applied updates.</param>
/// <param name="Updates">Updates applied.</param>
/// <param name="MaxStaleness">Largest staleness.</param>
/// <param name="StalenessSum">Sum of stalenesses.</param>
/// <param name="NormMean">Running mean of update norms.</param>
/// <param name="NormM2">Running sum of squared norm deviations (Welford).</param>
/// <param name="CosineSum">Sum of cosine similarities to the aggregate.</param>
/// <param name="CosineCount">Number of those similarities.</param>
public sealed record CheckpointWindow(
    IReadOnlyDictionary<int, long> StalenessHistogram, int Updates, int MaxStaleness, double StalenessSum,
    double NormMean, double NormM2, double CosineSum, int CosineCount);

/// <summary>A client's applied-update count.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="Count">Updates applied from it since the start.</param>
public readonly record struct ParticipationCount(int ClientId, int Count);

/// <summary>An evaluation requested and not yet recorded.</summary>
/// <param name="Snapshot">The record as of the request, accuracy and loss not yet known.</param>
/// <param name="Accuracy">Accuracy, when the result came back ahead of an earlier evaluation.</param>
/// <param name="Loss">Loss, likewise.</param>
public sealed record CheckpointEvaluation(EvaluationRecord Snapshot, double? Accuracy, double? Loss)
{
    /// <summary>The backdoor accuracy that came back with <see cref="Accuracy"/>; null when none did or no backdoor is simulated.</summary>
    public double? BackdoorAccuracy { get; init; }
}
