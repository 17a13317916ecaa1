using Akka.Actor;
using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;
using FedActors.Training.Evaluation;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Trainers;

/// <summary>Messages to and from the trainer pool.</summary>
public static class TrainerProtocol
{
    /// <summary>Requests the pool handles.</summary>
    public interface ITrainerCommand { }

    /// <summary>
    /// Train client <paramref name="ClientId"/> from <paramref name="Base"/>; the pool replies to the sender with
    /// <see cref="Trained"/>, <see cref="TrainingFailed"/> or <see cref="PoolBusy"/>.
    /// </summary>
    /// <param name="Job">The job; a retried job carries the same id and trains to the same update.</param>
    /// <param name="ClientId">The client whose data is trained on.</param>
    /// <param name="Base">The model version to start from (shared, immutable weights).</param>
    /// <param name="Options">Local training hyper-parameters.</param>
    /// <param name="Seed">Master seed; the sample order derives from (seed, client, job).</param>
    public sealed record Train(JobId Job, int ClientId, ModelVersion Base, LocalTrainingOptions Options, ulong Seed) : ITrainerCommand
    {
        /// <summary>
        /// When the result will be applied: the pool trains queued jobs in this order, lowest first, equal values in
        /// arrival order (scheduling only; the result does not depend on it). <value>Default 0 (arrival order).</value>
        /// </summary>
        public double ApplyAt { get; init; }

        /// <summary>The client's last job whose result the coordinator took, or −1 (see <see cref="Clients.ClientProtocol.TrainJob.PreviousJob"/>). <value>Default −1.</value></summary>
        public long PreviousJob { get; init; } = -1;
    }

    /// <summary>Evaluate <paramref name="Version"/> on the central test set; replies <see cref="Evaluated"/>.</summary>
    /// <param name="Version">The model version.</param>
    /// <param name="ServerStep">Server step the evaluation belongs to.</param>
    public sealed record Evaluate(ModelVersion Version, long ServerStep) : ITrainerCommand;

    /// <summary>A training finished.</summary>
    /// <param name="Job">The job.</param>
    /// <param name="Payload">
    /// Δ = w_local − w_base as the trainer's update pipeline encoded it; its arrays are owned by the receiver (a dense Δ's
    /// possibly rented from the pool's <see cref="DeltaBufferPool"/>, to be returned by its last holder).
    /// </param>
    /// <param name="Stats">Statistics of the training.</param>
    public sealed record Trained(JobId Job, UpdatePayload Payload, LocalTrainingStats Stats);

    /// <summary>A training threw; <paramref name="Reason"/> says why.</summary>
    public sealed record TrainingFailed(JobId Job, string Reason);

    /// <summary>An evaluation finished.</summary>
    public sealed record Evaluated(long ServerStep, long Version, EvaluationResult Result)
    {
        /// <summary>The share of triggered test images classified as the backdoor's target; null when no backdoor is simulated.</summary>
        public double? BackdoorAccuracy { get; init; }
    }

    /// <summary>
    /// The pool's slots and queue are full: the job was not taken. The pool sends <see cref="SlotAvailable"/>
    /// to the sender once there is room; then send the job again.
    /// </summary>
    public sealed record PoolBusy(JobId Job);

    /// <summary>There is room in the pool again.</summary>
    public sealed record SlotAvailable
    {
        /// <summary>The single instance.</summary>
        public static SlotAvailable Instance { get; } = new();
    }

    /// <summary>
    /// The pool's owner needs no more trainings: the pool answers every queued and turned-away one with
    /// <see cref="TrainingFailed"/> instead of training it; evaluations and work already started go on.
    /// </summary>
    public sealed record DropQueuedTrainings : ITrainerCommand
    {
        /// <summary>The single instance.</summary>
        public static DropQueuedTrainings Instance { get; } = new();
    }

    /// <summary>A trainer has finished its work item and takes the next.</summary>
    internal sealed record TrainerIdle(IActorRef Trainer);

    /// <summary>A work item handed to one trainer.</summary>
    internal sealed record Work(ITrainerCommand Command, IActorRef ReplyTo);
}
