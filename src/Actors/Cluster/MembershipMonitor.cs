using Akka.Actor;
using Akka.Cluster;

namespace FedActors.Actors.Cluster;

/// <summary>Reports membership changes of the cluster (up, leaving, removed, unreachable, reachable again) as lines for the operator.</summary>
public sealed class MembershipMonitor : ReceiveActor
{
    /// <summary>Creates the monitor; <paramref name="report"/> is called on the actor's thread.</summary>
    public MembershipMonitor(Action<string> report)
    {
        Receive<ClusterEvent.MemberUp>(e => report($"member up: {Describe(e.Member)}"));
        Receive<ClusterEvent.MemberJoined>(e => report($"member joining: {Describe(e.Member)}"));
        Receive<ClusterEvent.MemberLeft>(e => report($"member leaving: {Describe(e.Member)}"));
        Receive<ClusterEvent.MemberExited>(e => report($"member exiting: {Describe(e.Member)}"));
        Receive<ClusterEvent.MemberRemoved>(e => report($"member removed: {Describe(e.Member)} (was {e.PreviousStatus})"));
        Receive<ClusterEvent.UnreachableMember>(e => report($"member unreachable: {Describe(e.Member)}"));
        Receive<ClusterEvent.ReachableMember>(e => report($"member reachable again: {Describe(e.Member)}"));
        Receive<ClusterEvent.LeaderChanged>(e => report($"leader: {e.Leader?.ToString() ?? "none"}"));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    /// <summary>Props of the monitor.</summary>
    public static Props Props(Action<string> report) => Akka.Actor.Props.Create(() => new MembershipMonitor(report));

    /// <inheritdoc />
    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.LeaderChanged));

    /// <inheritdoc />
    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private static string Describe(Member m) => $"{m.Address} [{string.Join(",", m.Roles.Order())}]";
}
