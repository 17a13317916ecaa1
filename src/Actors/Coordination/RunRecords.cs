using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Coordination;

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    /// <summary>Reached <c>run.max-server-steps</c>.</summary>
    Completed,

    /// <summary>Stopped on request (cancellation) before the last step.</summary>
    Stopped,

    /// <summary>Ended by an error.</summary>
    Failed,

    /// <summary>Stopped before the step that would have spent more than the privacy budget (<c>privacy.target-epsilon</c>).</summary>
    BudgetExhausted,
}

/// <summary>Client-drift diagnostics over the updates applied since the previous evaluation.</summary>
/// <param name="Updates">Updates applied in the window.</param>
/// <param name="MeanUpdateNorm">Mean ‖Δ‖ of those updates; 0 when none.</param>
/// <param name="UpdateNormVariance">Population variance of ‖Δ‖; 0 when fewer than two.</param>
/// <param name="MeanCosineToAggregate">Mean cosine similarity of each aggregated update to the aggregate it went into; null when no aggregate formed (or FedAsync, where it is trivially 1).</param>
/// <param name="StalenessHistogram">Staleness τ → number of applied updates in the window, ascending τ.</param>
/// <param name="ParticipatingClients">Distinct clients with at least one applied update since the start.</param>
/// <param name="MaxParticipation">Most updates applied from any one client since the start.</param>
/// <param name="UpdatesRejected">Rejected updates since the start (all reasons).</param>
/// <param name="UpdatesDroppedStale">Updates dropped for staleness since the start.</param>
/// <param name="JobsDropped">Jobs that never reported (dropout, timeout) since the start.</param>
public sealed record DriftDiagnostics(
    int Updates,
    double MeanUpdateNorm,
    double UpdateNormVariance,
    double? MeanCosineToAggregate,
    IReadOnlyDictionary<int, long> StalenessHistogram,
    int ParticipatingClients,
    int MaxParticipation,
    long UpdatesRejected,
    long UpdatesDroppedStale,
    long JobsDropped);

/// <summary>One evaluation of the global model: a row of metrics.csv plus diagnostics.</summary>
/// <param name="ServerStep">Server steps taken (the evaluated version number).</param>
/// <param name="VirtualSeconds">Simulated time of the evaluated version (wall clock mode: wall seconds).</param>
/// <param name="WallSeconds">Real seconds since the run started, when the evaluation was requested.</param>
/// <param name="UpdatesApplied">Client updates aggregated so far.</param>
/// <param name="Accuracy">Test accuracy.</param>
/// <param name="Loss">Mean test cross-entropy.</param>
/// <param name="MeanStaleness">Mean staleness of the updates applied since the previous evaluation.</param>
/// <param name="MaxStaleness">Largest staleness since the previous evaluation.</param>
/// <param name="BytesUp">Update bytes received so far (<see cref="WireSize"/>).</param>
/// <param name="BytesDown">Model bytes sent so far (<see cref="WireSize"/>).</param>
/// <param name="Diagnostics">Client-drift diagnostics.</param>
/// <param name="BackdoorAccuracy">The share of triggered test images classified as the backdoor's target; null when no backdoor is simulated.</param>
/// <param name="Defense">What the robust aggregator filtered and what malicious clients got in, so far; null in records of older runs.</param>
public sealed record EvaluationRecord(
    long ServerStep,
    double VirtualSeconds,
    double WallSeconds,
    long UpdatesApplied,
    double Accuracy,
    double Loss,
    double MeanStaleness,
    int MaxStaleness,
    long BytesUp,
    long BytesDown,
    DriftDiagnostics Diagnostics,
    double? BackdoorAccuracy = null,
    DefenseCounts? Defense = null);

/// <summary>
/// What the defense did with the updates the strategy took, since the start: how many a robust aggregator that selects
/// whole updates (Krum, Multi-Krum, Bulyan, divide-and-conquer, SignGuard) left out of its steps, and how the malicious clients'
/// updates fared (zero when nobody attacks).
/// </summary>
/// <param name="Filtered">Updates taken but left out of their step's aggregate.</param>
/// <param name="MaliciousTaken">Updates of malicious clients the strategy took.</param>
/// <param name="MaliciousFiltered">Of those, the ones left out of their step's aggregate.</param>
public sealed record DefenseCounts(long Filtered, long MaliciousTaken, long MaliciousFiltered)
{
    /// <summary>No update filtered, none malicious.</summary>
    public static DefenseCounts None { get; } = new(0, 0, 0);

    /// <summary>Malicious updates that went into an aggregate (with whatever weight or clip the defense gave them).</summary>
    public long MaliciousAccepted => MaliciousTaken - MaliciousFiltered;

    /// <summary>Honest updates the defense left out: the price of filtering.</summary>
    public long HonestFiltered => Filtered - MaliciousFiltered;
}

/// <summary>What the run had reached at the first evaluation at or above the target accuracy.</summary>
/// <param name="ServerStep">The step evaluated.</param>
/// <param name="VirtualSeconds">Virtual seconds to target.</param>
/// <param name="WallSeconds">Wall seconds to target.</param>
/// <param name="Updates">Updates applied to target.</param>
/// <param name="BytesUp">Bytes up to target.</param>
public sealed record TargetReached(long ServerStep, double VirtualSeconds, double WallSeconds, long Updates, long BytesUp);

/// <summary>Cumulative counters of a run (summary.json fields).</summary>
/// <param name="ServerSteps">Server steps taken.</param>
/// <param name="UpdatesApplied">Updates aggregated.</param>
/// <param name="UpdatesRejected">Reason → count (wrong_length, malformed (a payload the update pipeline cannot decode), non_finite, unknown_job, duplicate, late, client_mismatch, base_version_mismatch, no_samples, buffer_full, failed).</param>
/// <param name="UpdatesDroppedStale">Updates dropped for exceeding max-staleness.</param>
/// <param name="JobsDispatched">Jobs issued.</param>
/// <param name="JobsDropped">Jobs whose result never came (dropout, timeout).</param>
/// <param name="SamplesTrained">Samples processed by the updates received.</param>
/// <param name="TrainSeconds">Real compute seconds of the updates received.</param>
/// <param name="BytesUp">Update bytes received.</param>
/// <param name="BytesDown">Model bytes sent.</param>
/// <param name="VirtualSeconds">Simulated (or wall, in wall mode) seconds at the last applied event.</param>
/// <param name="Defense">Updates filtered by the robust aggregator, and the malicious ones taken and filtered.</param>
/// <param name="MaxParticipation">Most updates taken from any one client (what client-level DP accounting composes over).</param>
public sealed record RunCounters(
    long ServerSteps,
    long UpdatesApplied,
    IReadOnlyDictionary<string, long> UpdatesRejected,
    long UpdatesDroppedStale,
    long JobsDispatched,
    long JobsDropped,
    long SamplesTrained,
    double TrainSeconds,
    long BytesUp,
    long BytesDown,
    double VirtualSeconds,
    DefenseCounts? Defense = null,
    int MaxParticipation = 0);

/// <summary>An applied client update: one row of the run's update ledger.</summary>
/// <param name="ServerStep">The server step whose aggregate it went into.</param>
/// <param name="Job">The job.</param>
/// <param name="ClientId">The client.</param>
/// <param name="BaseVersion">The version it trained from.</param>
/// <param name="Staleness">Server steps between its base version and its application.</param>
public sealed record AppliedUpdate(long ServerStep, JobId Job, int ClientId, long BaseVersion, int Staleness);
