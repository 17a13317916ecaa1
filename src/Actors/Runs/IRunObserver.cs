using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;

namespace FedActors.Actors.Runs;

/// <summary>Receives a run's measurements as they happen. Called on the coordinator's thread: return quickly.</summary>
public interface IRunObserver
{
    /// <summary>An evaluation completed; records arrive in server-step order, starting with step 0.</summary>
    void OnEvaluation(EvaluationRecord record);

    /// <summary>A periodic progress tick (about once a second of wall time).</summary>
    void OnProgress(RunProgress progress);

    /// <summary>
    /// A resumed run restored its persisted state: <paramref name="restored"/> holds the evaluation records
    /// and ledger position the run stands at. Called once, before any other callback of the session; any
    /// output written past that point by the interrupted session is to be discarded.
    /// </summary>
    void OnRestored(RestoredRun restored) { }

    /// <summary>
    /// A client update went into the aggregate of server step <see cref="AppliedUpdate.ServerStep"/>. Called on
    /// the coordinator's thread before that step is journaled: whatever is written here durably before
    /// returning is never lost by a crash (a resume cuts it back to the restored step).
    /// </summary>
    void OnUpdateApplied(AppliedUpdate update) { }

    /// <summary>The coordinator acknowledges a client's result (durability <c>update</c>: after journaling it); called just before the acknowledgement is sent.</summary>
    void OnAcknowledged(JobId job, int clientId) { }

    /// <summary>Something went wrong that the run survives (e.g. a snapshot could not be saved); a line for the operator.</summary>
    void OnWarning(string message) { }

    /// <summary>A server step's journal entry was written, <paramref name="seconds"/> of wall time after it was handed to the journal.</summary>
    void OnStepJournaled(long serverStep, double seconds) { }
}

/// <summary>Where a resumed run stands.</summary>
/// <param name="ServerStep">The step it resumes after.</param>
/// <param name="Records">The evaluation records up to that step.</param>
/// <param name="Resumed">How many times the run has been resumed, this time included.</param>
/// <param name="WallSeconds">Wall seconds of the run so far (sessions summed).</param>
public sealed record RestoredRun(long ServerStep, IReadOnlyList<EvaluationRecord> Records, int Resumed, double WallSeconds);

/// <summary>A progress tick.</summary>
/// <param name="ServerStep">Server steps taken.</param>
/// <param name="UpdatesApplied">Updates applied so far.</param>
/// <param name="UpdatesPerSecond">Updates applied per wall second since the previous tick.</param>
/// <param name="VirtualSeconds">Simulated seconds so far.</param>
/// <param name="WallSeconds">Wall seconds since the start.</param>
/// <param name="InFlight">Jobs in flight.</param>
/// <param name="Counters">The run's counters at this tick (rejections by reason, bytes, training time).</param>
public sealed record RunProgress(long ServerStep, long UpdatesApplied, double UpdatesPerSecond, double VirtualSeconds, double WallSeconds, int InFlight,
    RunCounters Counters);

/// <summary>An observer that ignores everything.</summary>
public sealed class NullRunObserver : IRunObserver
{
    /// <summary>The single instance.</summary>
    public static NullRunObserver Instance { get; } = new();

    /// <inheritdoc />
    public void OnEvaluation(EvaluationRecord record) { }

    /// <inheritdoc />
    public void OnProgress(RunProgress progress) { }
}
