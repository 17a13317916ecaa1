using Akka.Actor;
using Akka.Cluster;
using FedActors.Actors.Coordination;

namespace FedActors.Actors.Cluster;

/// <summary>
/// The cluster singleton on coordinator-role nodes. Once at least <c>min-workers</c> worker nodes are up it
/// starts a <see cref="JobGateway"/> and the <see cref="CoordinatorActor"/> that sends its jobs through it,
/// so that the run does not begin by piling every shard onto the first worker. The coordinator recovers
/// the run from the journal whenever the singleton starts, so when another node takes over it goes on from
/// the last journaled step. It answers <see cref="NodeStatusProtocol.GetRunStatus"/> for <c>fedactors status</c>.
/// </summary>
/// <remarks>
/// Akka's <c>akka.cluster.role.worker.min-nr-of-members</c> would delay the start as well, but sharding's
/// coordinator also waits for that many regions before it allocates any shard: after a worker dies, the
/// survivors would never get the dead one's shards.
/// </remarks>
public sealed class CoordinatorHost : ReceiveActor
{
    private readonly RunBoard _board;
    private readonly WireTraffic _traffic;
    private readonly HashSet<Akka.Actor.Address> _workers = new();
    private bool _started;

    /// <summary>Creates the host.</summary>
    /// <param name="region">The client shard region (proxy).</param>
    /// <param name="coordinatorProps">The coordinator's props, given the gateway it sends jobs to.</param>
    /// <param name="board">The run's latest progress, kept by the node's observer.</param>
    /// <param name="traffic">Serialized bytes, counted by the gateway.</param>
    /// <param name="resendAfter">The gateway sends a job again when it is unanswered this long.</param>
    /// <param name="minWorkers">Worker nodes that must be up before the run starts.</param>
    public CoordinatorHost(IActorRef region, Func<IActorRef, Props> coordinatorProps, RunBoard board, WireTraffic traffic, TimeSpan resendAfter, int minWorkers)
    {
        _board = board;
        _traffic = traffic;
        var worker = ClusterConfig.RoleName(NodeRole.Worker);
        void StartWhenReady()
        {
            if (_started || _workers.Count < minWorkers) return;
            _started = true;
            var gateway = Context.ActorOf(JobGateway.Props(region, traffic, resendAfter), "gateway");
            Context.ActorOf(coordinatorProps(gateway), "run");
        }
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var m in state.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(worker))) _workers.Add(m.Address);
            StartWhenReady();
        });
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.HasRole(worker)) _workers.Add(up.Member.Address);
            StartWhenReady();
        });
        Receive<ClusterEvent.MemberRemoved>(removed => _workers.Remove(removed.Member.Address));
        Receive<NodeStatusProtocol.GetRunStatus>(_ => Sender.Tell(Report()));
    }

    /// <summary>Props of the host.</summary>
    public static Props Props(IActorRef region, Func<IActorRef, Props> coordinatorProps, RunBoard board, WireTraffic traffic, TimeSpan resendAfter, int minWorkers) =>
        Akka.Actor.Props.Create(() => new CoordinatorHost(region, coordinatorProps, board, traffic, resendAfter, minWorkers));

    /// <inheritdoc />
    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));

    /// <inheritdoc />
    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private NodeStatusProtocol.RunStatusReport Report()
    {
        var p = _board.Progress;
        return new NodeStatusProtocol.RunStatusReport(
            Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString(), _board.MaxServerSteps,
            p?.ServerStep ?? 0, p?.UpdatesApplied ?? 0, p?.VirtualSeconds ?? 0, p?.WallSeconds ?? 0, p?.InFlight ?? 0,
            _board.LastAccuracy, _traffic.BytesUp, _traffic.BytesDown, _traffic.JobsResent);
    }
}

/// <summary>
/// A run observer that remembers the latest progress and accuracy for status queries and passes every
/// call on to <paramref name="inner"/>. Thread-safe: written on the coordinator's thread, read by the host.
/// </summary>
public sealed class RunBoard(IRunObserver inner, long maxServerSteps) : IRunObserver
{
    private volatile RunProgress? _progress;
    private double? _lastAccuracy;
    private readonly Lock _gate = new();

    /// <summary>The run's length in server steps.</summary>
    public long MaxServerSteps { get; } = maxServerSteps;

    /// <summary>The latest progress tick, or null before the first.</summary>
    public RunProgress? Progress => _progress;

    /// <summary>The latest evaluation's accuracy.</summary>
    public double? LastAccuracy
    {
        get { lock (_gate) return _lastAccuracy; }
    }

    /// <inheritdoc />
    public void OnEvaluation(EvaluationRecord record)
    {
        lock (_gate) _lastAccuracy = record.Accuracy;
        inner.OnEvaluation(record);
    }

    /// <inheritdoc />
    public void OnProgress(RunProgress progress)
    {
        _progress = progress;
        inner.OnProgress(progress);
    }

    /// <inheritdoc />
    public void OnRestored(RestoredRun restored) => inner.OnRestored(restored);

    /// <inheritdoc />
    public void OnUpdateApplied(AppliedUpdate update) => inner.OnUpdateApplied(update);

    /// <inheritdoc />
    public void OnAcknowledged(JobId job, int clientId) => inner.OnAcknowledged(job, clientId);

    /// <inheritdoc />
    public void OnWarning(string message) => inner.OnWarning(message);
}
