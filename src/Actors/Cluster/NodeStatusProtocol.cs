namespace FedActors.Actors.Cluster;

/// <summary>What <c>fedactors status</c> asks a node over Akka.Remote, and the answers. Small and rare: they travel as JSON.</summary>
public static class NodeStatusProtocol
{
    /// <summary>The path of every node's status actor.</summary>
    public const string StatusActorPath = "/user/status";

    /// <summary>Asks a node's status actor for <see cref="NodeStatusReport"/>.</summary>
    public sealed record GetNodeStatus
    {
        /// <summary>The single instance.</summary>
        public static GetNodeStatus Instance { get; } = new();
    }

    /// <summary>Asks the coordinator singleton for <see cref="RunStatusReport"/>.</summary>
    public sealed record GetRunStatus
    {
        /// <summary>The single instance.</summary>
        public static GetRunStatus Instance { get; } = new();
    }

    /// <summary>One cluster member as the asked node sees it.</summary>
    /// <param name="Address">Its address.</param>
    /// <param name="Status">Joining, Up, Leaving, Exiting, Down, Removed, WeaklyUp.</param>
    /// <param name="Roles">Its roles, comma-separated.</param>
    /// <param name="Reachable">False when the asked node's failure detector has given up on it.</param>
    public sealed record MemberReport(string Address, string Status, string Roles, bool Reachable);

    /// <summary>The client shards one worker node's region hosts.</summary>
    /// <param name="Region">The region's node address.</param>
    /// <param name="Shards">Shards it hosts.</param>
    /// <param name="Entities">Client entities active in them.</param>
    /// <param name="ShardIds">The shards' ids (shard = client id mod <c>fedactors.cluster.shards</c>).</param>
    public sealed record ShardReport(string Region, int Shards, int Entities, string[] ShardIds);

    /// <summary>Where the run stands, answered by the coordinator singleton.</summary>
    /// <param name="Node">The node hosting the coordinator.</param>
    /// <param name="MaxServerSteps">The run's length.</param>
    /// <param name="ServerStep">Server steps taken.</param>
    /// <param name="UpdatesApplied">Updates applied.</param>
    /// <param name="VirtualSeconds">Virtual time.</param>
    /// <param name="WallSeconds">Wall time of the run.</param>
    /// <param name="InFlight">Jobs in flight.</param>
    /// <param name="LastAccuracy">The latest evaluation's accuracy.</param>
    /// <param name="WireBytesUp">Serialized bytes of results received.</param>
    /// <param name="WireBytesDown">Serialized bytes of jobs and model chunks sent.</param>
    /// <param name="JobsResent">Jobs sent again after a worker node was removed.</param>
    /// <param name="ClientNodes">Client-role nodes (silos) whose real clients are registered, by address; empty for sharded virtual clients.</param>
    public sealed record RunStatusReport(string Node, long MaxServerSteps, long ServerStep, long UpdatesApplied, double VirtualSeconds,
        double WallSeconds, int InFlight, double? LastAccuracy, long WireBytesUp, long WireBytesDown, long JobsResent, ClientNodeReport[] ClientNodes);

    /// <summary>A client-role node and the real clients it registered with the coordinator.</summary>
    /// <param name="Address">The node's address.</param>
    /// <param name="Clients">Its registered clients, ascending.</param>
    /// <param name="Samples">Training samples its clients hold.</param>
    /// <param name="Reachable">False while the coordinator's node has given up on it (its clients are not selected).</param>
    public sealed record ClientNodeReport(string Address, int[] Clients, long Samples, bool Reachable);

    /// <summary>A node's answer to <see cref="GetNodeStatus"/>.</summary>
    /// <param name="Address">The asked node.</param>
    /// <param name="Roles">Its roles.</param>
    /// <param name="Leader">The cluster leader, or empty.</param>
    /// <param name="Members">Members, by address.</param>
    /// <param name="Shards">Client shards per worker region (empty when sharding did not answer in time).</param>
    /// <param name="Run">The run's progress (null when no coordinator answered in time).</param>
    public sealed record NodeStatusReport(string Address, string Roles, string Leader, MemberReport[] Members, ShardReport[] Shards, RunStatusReport? Run);
}
