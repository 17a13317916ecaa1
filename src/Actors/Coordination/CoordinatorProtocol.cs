using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Coordination;

/// <summary>Messages to the coordinator.</summary>
public static class CoordinatorProtocol
{
    /// <summary>Commands the coordinator handles.</summary>
    public interface ICoordinatorCommand { }

    /// <summary>What a client answers a job with: an update or a failure. The coordinator may journal these.</summary>
    public interface IClientResult : ICoordinatorCommand
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
    /// <param name="Delta">Δ = w_local − w_base.</param>
    /// <param name="Stats">Samples, steps, mean loss, update norm, compute seconds.</param>
    public sealed record ClientUpdate(JobId Job, int ClientId, long BaseVersion, float[] Delta, LocalTrainingStats Stats) : IClientResult;

    /// <summary>A client could not train; the coordinator frees its slot.</summary>
    public sealed record JobFailed(JobId Job, int ClientId, string Reason) : IClientResult;

    /// <summary>Stop gracefully: no new jobs, a final evaluation, then the run ends with status stopped.</summary>
    public sealed record StopRun : ICoordinatorCommand
    {
        /// <summary>The single instance.</summary>
        public static StopRun Instance { get; } = new();
    }

    /// <summary>
    /// The coordinator took a client's result: in durability <c>update</c> only after journaling it, so the
    /// client need never send it again.
    /// </summary>
    /// <param name="Job">The job whose result was taken.</param>
    public sealed record ResultAcknowledged(JobId Job);

    /// <summary>
    /// Wall clock with real clients: the registered clients whose nodes are reachable changed; the coordinator
    /// selects only among <paramref name="Clients"/> from now on. Sent by the cluster's coordinator host, never journaled:
    /// who is connected is learnt again from the client nodes after a restart.
    /// </summary>
    /// <param name="Clients">Every selectable client id.</param>
    public sealed record ReachableClientsChanged(IReadOnlyCollection<int> Clients) : ICoordinatorCommand;

    /// <summary>Periodic wake-up of the actor shell (wall-clock timeouts, progress).</summary>
    internal sealed record Tick
    {
        public static Tick Instance { get; } = new();
    }
}
