using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;

namespace FedActors.Actors.Coordination;

/// <summary>What the <see cref="CoordinatorCore"/> asks its shell to do; the core itself does no I/O.</summary>
public static class CoordinatorEffects
{
    /// <summary>An instruction to the shell.</summary>
    public interface ICoordinatorEffect { }

    /// <summary>Send <paramref name="Job"/> to its client.</summary>
    public sealed record DispatchJob(ClientProtocol.TrainJob Job) : ICoordinatorEffect;

    /// <summary>Evaluate <paramref name="Version"/> on the test set and feed the result back with the step.</summary>
    public sealed record EvaluateModel(ModelVersion Version, long ServerStep) : ICoordinatorEffect;

    /// <summary>An evaluation is complete; records come in server-step order.</summary>
    public sealed record EvaluationRecorded(EvaluationRecord Record) : ICoordinatorEffect;

    /// <summary>
    /// The run is ending: no result of a job still in flight will be applied, so training one that has not started
    /// yet is wasted work; what has started finishes and is ignored.
    /// </summary>
    public sealed record StopTraining : ICoordinatorEffect
    {
        /// <summary>The single instance.</summary>
        public static StopTraining Instance { get; } = new();
    }

    /// <summary>The run is over; no more effects follow.</summary>
    public sealed record RunFinished(RunStatus Status) : ICoordinatorEffect;

    /// <summary>An update went into the aggregate (the run's update ledger).</summary>
    public sealed record UpdateApplied(AppliedUpdate Update) : ICoordinatorEffect;

    /// <summary>
    /// A server step published <paramref name="Version"/>; <paramref name="Checkpoint"/> is the state right
    /// after it, for the shell to persist.
    /// </summary>
    /// <param name="Checkpoint">The state after the step (weights by version number).</param>
    /// <param name="Version">The version the step published.</param>
    public sealed record StepCommitted(CoordinatorCheckpoint Checkpoint, ModelVersion Version) : ICoordinatorEffect;
}
