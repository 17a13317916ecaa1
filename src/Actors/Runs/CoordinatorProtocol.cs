namespace FedActors.Actors.Runs;

/// <summary>Messages to the coordinator actor besides the clients' results (<see cref="Clients.ClientProtocol.IClientResult"/>).</summary>
public static class CoordinatorProtocol
{
    /// <summary>Commands the coordinator handles.</summary>
    public interface ICoordinatorCommand { }

    /// <summary>Stop gracefully: no new jobs, a final evaluation, then the run ends with status stopped.</summary>
    public sealed record StopRun : ICoordinatorCommand
    {
        /// <summary>The single instance.</summary>
        public static StopRun Instance { get; } = new();
    }

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
