using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Clients;

/// <summary>Messages to virtual clients and to the <see cref="ClientRegion"/> that hosts them, and what clients answer their jobs with.</summary>
public static class ClientProtocol
{
    /// <summary>Commands a client actor handles.</summary>
    public interface IClientCommand
    {
        /// <summary>The client the command is for.</summary>
        int ClientId { get; }
    }

    /// <summary>
    /// Train from <paramref name="Base"/> and reply to the sender with a <see cref="ClientUpdate"/> (or <see cref="JobFailed"/>).
    /// </summary>
    /// <param name="Job">The job id; a retried job carries the same id.</param>
    /// <param name="ClientId">The client that trains.</param>
    /// <param name="Base">The model version to start from (shared, immutable weights).</param>
    /// <param name="Options">Local training hyper-parameters.</param>
    /// <param name="Seed">Master seed; the sample order derives from (seed, client, job).</param>
    public sealed record TrainJob(JobId Job, int ClientId, ModelVersion Base, LocalTrainingOptions Options, ulong Seed) : IClientCommand
    {
        /// <summary>Checks the ids.</summary>
        public int ClientId { get; } = ClientId >= 0 ? ClientId : throw new ArgumentOutOfRangeException(nameof(ClientId), $"client id must be ≥ 0, got {ClientId} (job {Job})");

        /// <summary>
        /// When the coordinator will apply the result: a trainer pool trains its queued jobs in this order, lowest first,
        /// equal values in arrival order. Under the virtual clock it is the job's virtual finish time, the order the
        /// coordinator applies results in, so the result it waits for is trained first instead of after every job sent
        /// before it. Scheduling only: the result does not depend on it. <value>Default 0 (arrival order).</value>
        /// </summary>
        public double ApplyAt { get; init; }

        /// <summary>
        /// The client's last job whose result the coordinator took before sending this one, or −1: per-client state (an
        /// error-feedback residual) continues from the row that job left. <value>Default −1.</value>
        /// </summary>
        public long PreviousJob { get; init; } = -1;
    }

    /// <summary>What a client answers a job with: an update or a failure. The coordinator may journal these.</summary>
    public interface IClientResult
    {
        /// <summary>The job answered.</summary>
        JobId Job { get; }

        /// <summary>The client that answered.</summary>
        int ClientId { get; }
    }

    /// <summary>A client's result: Δ from its base version. Retried updates carry the same job id and are applied at most once.</summary>
    /// <param name="Job">The job this answers.</param>
    /// <param name="ClientId">The client that trained.</param>
    /// <param name="BaseVersion">The version the client trained from.</param>
    /// <param name="Payload">Δ = w_local − w_base as the client's update pipeline encoded it (dense, unless transforms are configured).</param>
    /// <param name="Stats">Samples, steps, mean loss, update norm (of Δ before any transform), compute seconds.</param>
    public sealed record ClientUpdate(JobId Job, int ClientId, long BaseVersion, UpdatePayload Payload, LocalTrainingStats Stats) : IClientResult;

    /// <summary>A client could not train; the coordinator frees its slot.</summary>
    public sealed record JobFailed(JobId Job, int ClientId, string Reason) : IClientResult;

    /// <summary>
    /// The coordinator took a client's result: in durability <c>update</c> only after journaling it, so the
    /// client need never send it again.
    /// </summary>
    /// <param name="Job">The job whose result was taken.</param>
    public sealed record ResultAcknowledged(JobId Job);

    /// <summary>Routes <paramref name="Message"/> to the client actor <paramref name="ClientId"/>, activating it if needed; the sender is preserved.</summary>
    public sealed record ClientEnvelope(int ClientId, IClientCommand Message)
    {
        /// <summary>Checks that the envelope and its message name the same client.</summary>
        public IClientCommand Message { get; } = Message.ClientId == ClientId ? Message
            : throw new ArgumentException($"envelope for client {ClientId} carries a message for client {Message.ClientId}", nameof(Message));
    }

    /// <summary>A client actor asks its region to stop it: it has no work left.</summary>
    internal sealed record Passivate(int ClientId);

    /// <summary>The region lets a passivating client stop: messages for it are buffered from now on.</summary>
    internal sealed record StopClient(int ClientId);

    /// <summary>A client told to stop had received new work in the meantime: it stays, and gets what was buffered.</summary>
    internal sealed record Resume(int ClientId);
}
