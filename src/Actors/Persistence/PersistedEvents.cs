using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;

namespace FedActors.Actors.Persistence;

/// <summary>What the coordinator writes to its journal and snapshot store; all of it goes through <c>StateSerializer</c>.</summary>
public interface IPersistedState { }

/// <summary>The first event of a run: what it is and where it starts.</summary>
/// <param name="ConfigFingerprint">SHA-256 (hex) of the run's effective configuration; a resume under another is refused.</param>
/// <param name="InitialWeights">Version 0.</param>
public sealed record RunStarted(string ConfigFingerprint, float[] InitialWeights) : IPersistedState;

/// <summary>A server step: the version it published and the coordinator's state right after it.</summary>
/// <param name="Checkpoint">The state (logs as deltas since the previous step).</param>
/// <param name="Weights">The weights of version <see cref="CoordinatorCheckpoint.ServerStep"/>.</param>
/// <param name="WallSeconds">Wall seconds of the run at the step, summed over its sessions.</param>
public sealed record StepPersisted(CoordinatorCheckpoint Checkpoint, float[] Weights, double WallSeconds) : IPersistedState;

/// <summary>Durability <c>update</c>: a client's result, journaled before anything it leads to and before it is acknowledged.</summary>
/// <param name="Result">A <see cref="ClientProtocol.ClientUpdate"/> or <see cref="ClientProtocol.JobFailed"/>.</param>
/// <param name="ArrivedAt">The run's wall seconds when the coordinator took it (what the wall clock decides with).</param>
public sealed record ResultPersisted(ClientProtocol.IClientResult Result, double ArrivedAt) : IPersistedState;

/// <summary>Durability <c>update</c>: an evaluation came back (with stop-at-target it decides when the run may go on).</summary>
/// <param name="ServerStep">The evaluated step.</param>
/// <param name="Accuracy">Its accuracy.</param>
/// <param name="Loss">Its loss.</param>
/// <param name="BackdoorAccuracy">Its backdoor accuracy; null when no backdoor is simulated.</param>
public sealed record EvaluationPersisted(long ServerStep, double Accuracy, double Loss, double? BackdoorAccuracy = null) : IPersistedState;

/// <summary>Durability <c>update</c>, wall clock: time moved on and fired timeouts, deadlines or retries.</summary>
/// <param name="Now">The run's wall seconds.</param>
public sealed record ClockAdvanced(double Now) : IPersistedState;

/// <summary>The run was resumed from its persisted state.</summary>
/// <param name="WallSeconds">Wall seconds the resumed session starts from.</param>
public sealed record RunResumed(double WallSeconds) : IPersistedState;

/// <summary>Everything the journal up to a sequence number folds to (see <see cref="PersistedRun"/>).</summary>
/// <param name="Started">The run's first event.</param>
/// <param name="Latest">The latest step's checkpoint, its deltas already folded into the lists below; null before the first step.</param>
/// <param name="Versions">Weights of the versions a restore needs.</param>
/// <param name="Participation">Applied updates per client.</param>
/// <param name="Records">Evaluation records so far.</param>
/// <param name="Results">Results journaled for jobs still in flight at <paramref name="Latest"/> (durability <c>update</c>), in journal order.</param>
/// <param name="Resumed">How many times the run was resumed.</param>
/// <param name="WallSeconds">Wall seconds of the run at <paramref name="Latest"/>.</param>
public sealed record CoordinatorSnapshot(
    RunStarted Started,
    CoordinatorCheckpoint? Latest,
    IReadOnlyList<ModelVersion> Versions,
    IReadOnlyList<ParticipationCount> Participation,
    IReadOnlyList<EvaluationRecord> Records,
    IReadOnlyList<ResultPersisted> Results,
    int Resumed,
    double WallSeconds) : IPersistedState
{
    /// <summary>Each client's last job whose result the coordinator took, by client id.</summary>
    public IReadOnlyList<ClientJob> LastResults { get; init; } = [];
}
