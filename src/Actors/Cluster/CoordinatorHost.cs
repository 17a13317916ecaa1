using Akka.Actor;
using Akka.Cluster;
using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;
using FedActors.Actors.Runs;

namespace FedActors.Actors.Cluster;

/// <summary>
/// The cluster singleton on coordinator-role nodes. Once at least <c>min-workers</c> worker nodes are up it
/// starts a <see cref="JobGateway"/> and the <see cref="CoordinatorActor"/> that sends its jobs through it,
/// so that the run does not begin by piling every shard onto the first worker. The coordinator recovers
/// the run from the journal whenever the singleton starts, so when another node takes over it goes on from
/// the last journaled step. It answers <see cref="NodeStatusProtocol.GetRunStatus"/> for <c>fedactors status</c>.
/// <para>With real clients it keeps the registry instead: client-role nodes announce their clients with
/// <see cref="ClusterProtocol.RegisterClients"/> (again and again, so that a host that took over learns them
/// too), the run starts once <c>min-clients</c> of them are registered and reachable, the coordinator selects
/// only among the registered clients whose nodes are reachable, and the gateway routes each job to the node
/// that holds the client's data. A node that is removed takes its clients out of the registry.</para>
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
    private readonly Dictionary<int, Registration> _registry = new();
    private readonly HashSet<Akka.Actor.Address> _unreachable = new();
    private readonly RealClientOptions? _realClients;
    private IActorRef? _gateway;
    private IActorRef? _run;
    private bool _started;

    /// <summary>Creates the host.</summary>
    /// <param name="region">The client shard region (proxy).</param>
    /// <param name="coordinatorProps">The coordinator's props, given the gateway it sends jobs to.</param>
    /// <param name="board">The run's latest progress, kept by the node's observer.</param>
    /// <param name="traffic">Serialized bytes, counted by the gateway.</param>
    /// <param name="resendAfter">The gateway sends a job again when it is unanswered this long.</param>
    /// <param name="minWorkers">Worker nodes that must be up before the run starts (virtual clients in shards).</param>
    /// <param name="realClients">Set when the clients are real ones that client-role nodes register; null for sharded virtual clients.</param>
    public CoordinatorHost(IActorRef region, Func<IActorRef, Props> coordinatorProps, RunBoard board, WireTraffic traffic, TimeSpan resendAfter, int minWorkers,
        RealClientOptions? realClients = null)
    {
        _board = board;
        _traffic = traffic;
        _realClients = realClients;
        var worker = ClusterConfig.RoleName(NodeRole.Worker);
        void StartWhenReady()
        {
            if (_started) return;
            if (_realClients is null ? _workers.Count < minWorkers : Reachable().Count < _realClients.MinClients) return;
            _started = true;
            _gateway = Context.ActorOf(JobGateway.Props(region, traffic, resendAfter, _realClients is not null), "gateway");
            _run = Context.ActorOf(coordinatorProps(_gateway), "run");
            if (_realClients is not null) Announce();
        }
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var m in state.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(worker))) _workers.Add(m.Address);
            foreach (var m in state.Unreachable) _unreachable.Add(m.Address);
            StartWhenReady();
        });
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.HasRole(worker)) _workers.Add(up.Member.Address);
            StartWhenReady();
        });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            _workers.Remove(removed.Member.Address);
            _unreachable.Remove(removed.Member.Address);
            var gone = _registry.Where(r => r.Value.Owner.Path.Address.Equals(removed.Member.Address)).Select(r => r.Key).ToArray();
            foreach (var client in gone) _registry.Remove(client);
            if (gone.Length > 0) Announce();
        });
        Receive<ClusterEvent.UnreachableMember>(u =>
        {
            // Not selected while unreachable; its jobs in flight may still come back if it returns before it is downed.
            if (_unreachable.Add(u.Member.Address) && _registry.Values.Any(r => r.Owner.Path.Address.Equals(u.Member.Address))) Announce();
        });
        Receive<ClusterEvent.ReachableMember>(r =>
        {
            if (_unreachable.Remove(r.Member.Address) && _registry.Values.Any(x => x.Owner.Path.Address.Equals(r.Member.Address))) Announce();
            StartWhenReady();
        });
        Receive<ClusterProtocol.RegisterClients>(register =>
        {
            var refusal = Check(register, Sender);
            if (refusal is not null)
            {
                Sender.Tell(new ClusterProtocol.RegistrationRefused(refusal));
                return;
            }
            bool changed = false;
            for (int i = 0; i < register.ClientIds.Length; i++)
            {
                var entry = new Registration(Sender, register.SampleCounts[i]);
                if (_registry.TryGetValue(register.ClientIds[i], out var known) && known == entry) continue;
                _registry[register.ClientIds[i]] = entry;
                changed = true;
            }
            Sender.Tell(new ClusterProtocol.ClientsRegistered(register.ClientIds.Length));
            if (changed) Announce();
            StartWhenReady();
        });
        Receive<NodeStatusProtocol.GetRunStatus>(_ => Sender.Tell(Report()));
    }

    /// <summary>Props of the host.</summary>
    /// <param name="region">The client shard region (proxy).</param>
    /// <param name="coordinatorProps">The coordinator's props, given the gateway it sends jobs to.</param>
    /// <param name="board">The run's latest progress, kept by the node's observer.</param>
    /// <param name="traffic">Serialized bytes, counted by the gateway.</param>
    /// <param name="resendAfter">The gateway sends a job again when it is unanswered this long.</param>
    /// <param name="minWorkers">Worker nodes that must be up before the run starts (virtual clients in shards).</param>
    /// <param name="realClients">Set when the clients are real ones that client-role nodes register; null for sharded virtual clients.</param>
    public static Props Props(IActorRef region, Func<IActorRef, Props> coordinatorProps, RunBoard board, WireTraffic traffic, TimeSpan resendAfter, int minWorkers,
        RealClientOptions? realClients = null) =>
        Akka.Actor.Props.Create(() => new CoordinatorHost(region, coordinatorProps, board, traffic, resendAfter, minWorkers, realClients));

    /// <inheritdoc />
    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember));

    /// <inheritdoc />
    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    /// <summary>Why <paramref name="register"/> from <paramref name="owner"/> is refused, or null.</summary>
    private string? Check(ClusterProtocol.RegisterClients register, IActorRef owner)
    {
        if (_realClients is null)
            return "this run's clients are virtual ones in worker shards (fedactors.cluster.clients = sharded); start the coordinator with fedactors.cluster.clients = registered";
        for (int i = 0; i < register.ClientIds.Length; i++)
        {
            int client = register.ClientIds[i];
            if ((uint)client >= (uint)_realClients.PopulationSize)
                return $"client id {client} is outside the run's population [0, {_realClients.PopulationSize}) (fedactors.population.clients)";
            if (register.SampleCounts[i] <= 0) return $"client {client} holds {register.SampleCounts[i]} samples; a client needs at least one";
            // A second live process for the same client would split its jobs between two copies of (supposedly) the same data.
            if (_registry.TryGetValue(client, out var known) && !known.Owner.Path.Address.Equals(owner.Path.Address))
                return $"client {client} is already registered by node {known.Owner.Path.Address}";
        }
        return null;
    }

    /// <summary>Registered clients whose nodes are reachable, ascending.</summary>
    private List<int> Reachable() =>
        _registry.Where(r => !_unreachable.Contains(r.Value.Owner.Path.Address)).Select(r => r.Key).Order().ToList();

    /// <summary>Tells the gateway where each client lives and the coordinator whom it may select.</summary>
    private void Announce()
    {
        if (_realClients is null || _gateway is null || _run is null) return;
        // The coordinator hears first: a job the gateway then fails for a departed client is not handed to that client again.
        _run.Tell(new CoordinatorProtocol.ReachableClientsChanged(Reachable()));
        _gateway.Tell(new JobGateway.OwnersChanged(_registry.ToDictionary(r => r.Key, r => r.Value.Owner)));
    }

    private sealed record Registration(IActorRef Owner, int Samples);

    private NodeStatusProtocol.RunStatusReport Report()
    {
        var p = _board.Progress;
        return new NodeStatusProtocol.RunStatusReport(
            Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString(), _board.MaxServerSteps,
            p?.ServerStep ?? 0, p?.UpdatesApplied ?? 0, p?.VirtualSeconds ?? 0, p?.WallSeconds ?? 0, p?.InFlight ?? 0,
            _board.LastAccuracy, _traffic.BytesUp, _traffic.BytesDown, _traffic.JobsResent, ClientNodes());
    }

    /// <summary>The registry by node: who holds which clients, and whether the node is reachable.</summary>
    private NodeStatusProtocol.ClientNodeReport[] ClientNodes() =>
        _registry.GroupBy(r => r.Value.Owner.Path.Address)
            .Select(g => new NodeStatusProtocol.ClientNodeReport(g.Key.ToString(), g.Select(r => r.Key).Order().ToArray(), g.Sum(r => (long)r.Value.Samples),
                !_unreachable.Contains(g.Key)))
            .OrderBy(n => n.Address, StringComparer.Ordinal)
            .ToArray();
}

/// <summary>What the coordinator host needs to know when the run's clients are real ones that client-role nodes register.</summary>
/// <param name="PopulationSize">Client ids run from 0 to this − 1 (<c>fedactors.population.clients</c>).</param>
/// <param name="MinClients">Registered, reachable clients the run waits for before it starts (<c>fedactors.cluster.min-clients</c>).</param>
public sealed record RealClientOptions(int PopulationSize, int MinClients)
{
    /// <summary>Checks the population.</summary>
    public int PopulationSize { get; } = PopulationSize > 0 ? PopulationSize : throw new ArgumentOutOfRangeException(nameof(PopulationSize), $"the population needs at least one client, got {PopulationSize}");

    /// <summary>Checks that the run can ever start.</summary>
    public int MinClients { get; } = MinClients >= 0 && MinClients <= PopulationSize ? MinClients
        : throw new ArgumentOutOfRangeException(nameof(MinClients), $"min-clients must be in [0, {PopulationSize}] (the population), got {MinClients}");
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
