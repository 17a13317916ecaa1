using Akka.Actor;
using Akka.Cluster.Sharding;

namespace FedActors.Actors.Cluster;

/// <summary>
/// Answers <see cref="NodeStatusProtocol.GetNodeStatus"/> on every node: the members as this node sees
/// them, the client shards per worker region (asked of sharding) and the run's progress (asked of the
/// coordinator singleton). Parts that do not answer within a few seconds are left out, not waited for.
/// </summary>
public sealed class NodeStatusActor : ReceiveActor
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Creates the actor.</summary>
    /// <param name="region">The client shard region or proxy, or null on nodes without one.</param>
    /// <param name="coordinator">The coordinator singleton's proxy.</param>
    public NodeStatusActor(IActorRef? region, IActorRef coordinator)
    {
        ReceiveAsync<NodeStatusProtocol.GetNodeStatus>(async _ =>
        {
            var replyTo = Sender;
            var cluster = Akka.Cluster.Cluster.Get(Context.System);
            var state = cluster.State;
            var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
            var members = state.Members
                .Select(m => new NodeStatusProtocol.MemberReport(m.Address.ToString(), m.Status.ToString(), string.Join(",", m.Roles.Order()), !unreachable.Contains(m.Address)))
                .ToArray();
            var shards = Array.Empty<NodeStatusProtocol.ShardReport>();
            if (region is not null)
            {
                try
                {
                    var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(AskTimeout), AskTimeout + TimeSpan.FromSeconds(1));
                    shards = stats.Regions
                        .Select(r => new NodeStatusProtocol.ShardReport(r.Key.ToString(), r.Value.Stats.Count, r.Value.Stats.Values.Sum(), r.Value.Stats.Keys.Order(StringComparer.Ordinal).ToArray()))
                        .OrderBy(r => r.Region, StringComparer.Ordinal).ToArray();
                }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { }
            }
            NodeStatusProtocol.RunStatusReport? run = null;
            try
            {
                run = await coordinator.Ask<NodeStatusProtocol.RunStatusReport>(NodeStatusProtocol.GetRunStatus.Instance, AskTimeout);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { }
            replyTo.Tell(new NodeStatusProtocol.NodeStatusReport(cluster.SelfAddress.ToString(), string.Join(",", cluster.SelfRoles.Order()),
                state.Leader?.ToString() ?? "", members, shards, run));
        });
    }

    /// <summary>Props of the actor.</summary>
    public static Props Props(IActorRef? region, IActorRef coordinator) => Akka.Actor.Props.Create(() => new NodeStatusActor(region, coordinator));
}
