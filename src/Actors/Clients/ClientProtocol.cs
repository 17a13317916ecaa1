using FedActors.Actors.Coordination;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Clients;

/// <summary>Messages to virtual clients and to the <see cref="ClientRegion"/> that hosts them.</summary>
public static class ClientProtocol
{
    /// <summary>Commands a client actor handles.</summary>
    public interface IClientCommand
    {
        /// <summary>The client the command is for.</summary>
        int ClientId { get; }
    }

    /// <summary>
    /// Train from <paramref name="Base"/> and reply to the sender with a
    /// <see cref="CoordinatorProtocol.ClientUpdate"/> (or <see cref="CoordinatorProtocol.JobFailed"/>).
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
    }

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
