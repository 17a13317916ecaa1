using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using FedActors.Actors.Compression;
using FedActors.Actors.Coordination;
using FedActors.Actors.Population;
using FedActors.Actors.Runs;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;
using FedActors.Actors.Updates;
using FedActors.Training.Data;

namespace FedActors.Actors.Cluster;

/// <summary>
/// One cluster node: an actor system with Akka.Cluster, a membership monitor and a status actor, and,
/// by role, the client shards with their trainer pool (worker) or the coordinator singleton with its
/// evaluation pool (coordinator), or its own clients with their data (client). Every node derives the population from the same config, so only ids,
/// version numbers, model chunks and updates cross the network.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    /// <summary>Versions a worker node keeps: enough for the staleness FedBuff tolerates.</summary>
    public const int CachedVersions = 32;

    private readonly ActorSystem _system;
    private readonly ClusterSettings _settings;
    private IActorRef? _region;
    private IActorRef? _status;

    private ClusterNode(ActorSystem system, ClusterSettings settings, NodeRole role)
    {
        _system = system;
        _settings = settings;
        Role = role;
        Coordinator = system.ActorOf(ClusterSingletonProxy.Props("/user/coordinator",
            ClusterSingletonProxySettings.Create(system).WithRole(ClusterConfig.RoleName(NodeRole.Coordinator)).WithSingletonName("coordinator")),
            "coordinator-proxy");
    }

    /// <summary>The node's role.</summary>
    public NodeRole Role { get; }

    /// <summary>The node's address, e.g. <c>akka.tcp://fedactors@127.0.0.1:4053</c>.</summary>
    public string Address => Akka.Cluster.Cluster.Get(_system).SelfAddress.ToString();

    /// <summary>The actor system (for tests).</summary>
    public ActorSystem System => _system;

    /// <summary>The coordinator singleton's proxy.</summary>
    public IActorRef Coordinator { get; }

    /// <summary>Completes when the actor system has terminated: after <see cref="LeaveAsync"/>, or when the cluster downed this node.</summary>
    public Task WhenTerminated => _system.WhenTerminated;

    /// <summary>
    /// Starts the node's actor system and joins the seed nodes (or forms a cluster of its own when there are
    /// none). <paramref name="runtimeConfig"/> holds the rest (persistence, trainer dispatcher); cluster
    /// settings take precedence over it.
    /// </summary>
    /// <param name="settings">Network, membership and downing.</param>
    /// <param name="role">The node's role.</param>
    /// <param name="runtimeConfig">The runtime's Akka config, e.g. <see cref="FederatedRun.BaseConfig"/> with persistence.</param>
    /// <param name="report">Receives membership changes as lines, on an actor's thread.</param>
    public static ClusterNode Start(ClusterSettings settings, NodeRole role, Config runtimeConfig, Action<string> report)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(runtimeConfig);
        ArgumentNullException.ThrowIfNull(report);
        var system = ActorSystem.Create(settings.SystemName, ClusterTls.Bootstrap(ClusterConfig.For(settings, role).WithFallback(runtimeConfig), settings.Tls));
        var node = new ClusterNode(system, settings, role);
        system.ActorOf(MembershipMonitor.Props(report), "membership");
        if (settings.SeedNodes.Count == 0)
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            cluster.Join(cluster.SelfAddress);
        }
        return node;
    }

    // Every node decodes compressed broadcasts with the run's downlink codec and seed, as the coordinator encoded them.
    private static ModelBroadcasts? Broadcasts(RunSettings run) =>
        run.Compression.Downlink is { } downlink ? new ModelBroadcasts(downlink, run.Seed) : null;

    /// <summary>
    /// Makes this a worker node: its trainer pool, its model-version cache and the client shard region whose
    /// entities train on them.
    /// </summary>
    /// <param name="trainers">The trainer pool's settings.</param>
    /// <param name="population">The clients (every node derives the same population from the config).</param>
    /// <param name="run">The run: its model and the client update pipeline.</param>
    /// <param name="clientState">Where the pipeline keeps per-client vectors (error-feedback residuals), shared by every worker; null when it keeps none.</param>
    public IActorRef StartWorker(TrainerSettings trainers, IClientDataSource population, RunSettings run, IClientStateStore? clientState = null)
    {
        var pool = _system.ActorOf(TrainerPool.Props(trainers, population, null, run.ModelName, transforms: run.Transforms, clientState: clientState), "trainers");
        var cache = _system.ActorOf(ModelVersionCache.Props(CachedVersions, _settings.ModelChunkFloats, Broadcasts(run)), "model-versions");
        var sharding = ClusterSharding.Get(_system);
        var shardingSettings = ClusterShardingSettings.Create(_system).WithRole(ClusterConfig.RoleName(NodeRole.Worker));
        _region = sharding.Start(ClientShards.TypeName,
            entityId => ShardedClientActor.Props(int.Parse(entityId, CultureInfo.InvariantCulture), pool, cache, chunking: UpdateChunks),
            shardingSettings, new ClientShards(_settings.Shards), sharding.DefaultShardAllocationStrategy(shardingSettings), ShardedClientActor.Stop.Instance);
        StartStatus();
        return _region;
    }

    /// <summary>
    /// Makes this a client-role node: a trainer pool over the clients whose data this process holds, a
    /// model-version cache, and the <see cref="ClientNodeActor"/> that registers the clients with the
    /// coordinator and takes their jobs.
    /// </summary>
    /// <param name="trainers">The trainer pool's settings.</param>
    /// <param name="clients">The node's own clients.</param>
    /// <param name="run">The run: its model and the client update pipeline.</param>
    /// <param name="settings">Registration interval (and the silo, already applied to <paramref name="clients"/>).</param>
    /// <param name="observer">Receives registrations and answered jobs.</param>
    /// <param name="clientState">Where the pipeline keeps its clients' per-client vectors (error-feedback residuals); null when it keeps none.</param>
    public IActorRef StartClient(TrainerSettings trainers, OwnClientDataSource clients, RunSettings run, ClientNodeSettings settings, IClientNodeObserver observer,
        IClientStateStore? clientState = null)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(observer);
        var pool = _system.ActorOf(TrainerPool.Props(trainers, clients, null, run.ModelName, transforms: run.Transforms, clientState: clientState), "trainers");
        var cache = _system.ActorOf(ModelVersionCache.Props(CachedVersions, _settings.ModelChunkFloats, Broadcasts(run)), "model-versions");
        var samples = clients.ClientIds.ToDictionary(id => id, clients.SampleCount);
        var actor = _system.ActorOf(ClientNodeActor.Props(samples, Coordinator, pool, cache, settings.RegisterEvery, observer, UpdateChunks), "clients");
        StartStatus();
        return actor;
    }

    /// <summary>
    /// Makes this a coordinator-role node: a proxy to the client shards, an evaluation pool on the test set, and
    /// a place for the coordinator singleton. The returned task completes when the coordinator on this node
    /// ends the run, or fails the run when it stops because the singleton moved (this node is leaving).
    /// </summary>
    /// <param name="setup">The coordinator's setup (the persistence id names the run's journal).</param>
    /// <param name="evaluation">The evaluation pool's settings.</param>
    /// <param name="population">The clients (the coordinator needs their sample counts and profiles).</param>
    /// <param name="testSet">The central test set.</param>
    /// <param name="observer">Receives the run's measurements when this node hosts the coordinator.</param>
    /// <param name="traffic">Counts serialized bytes.</param>
    /// <param name="realClients">Set when client-role nodes register real clients (<see cref="ClientPlacement.Registered"/>); null for sharded virtual clients.</param>
    public Task<RunResult> StartCoordinator(CoordinatorSetup setup, TrainerSettings evaluation, IClientDataSource population, LabeledDataset testSet,
        IRunObserver observer, WireTraffic traffic, RealClientOptions? realClients = null)
    {
        var completion = new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The gateway reports the bytes the serializer wrote: bytes_up and bytes_down count them, not an estimate.
        setup = setup with { Meter = traffic };
        // Start the journal and snapshot store now: a standby that takes the coordinator over then recovers
        // without first loading the plugins and opening connections, which is time the failover would lose.
        var persistence = Akka.Persistence.Persistence.Instance.Apply(_system);
        _ = persistence.JournalFor(null);
        _ = persistence.SnapshotStoreFor(null);
        _region = ClusterSharding.Get(_system).StartProxy(ClientShards.TypeName, ClusterConfig.RoleName(NodeRole.Worker), new ClientShards(_settings.Shards));
        var pool = _system.ActorOf(TrainerPool.Props(evaluation, population, testSet, setup.Run.ModelName, backdoorTestSet: setup.Run.Attack.BackdoorTestSet(testSet)), "trainers");
        var board = new RunBoard(observer, setup.Run.MaxServerSteps);
        var region = _region;
        var host = CoordinatorHost.Props(region,
            gateway => CoordinatorActor.Props(setup, gateway, pool, board, new WallClock(), completion), board, traffic, _settings.JobResendAfter, _settings.MinWorkers, realClients);
        _system.ActorOf(ClusterSingletonManager.Props(host, PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(_system).WithRole(ClusterConfig.RoleName(NodeRole.Coordinator)).WithSingletonName("coordinator")),
            "coordinator");
        StartStatus();
        return completion.Task;
    }

    /// <summary>A node of another role still answers status queries.</summary>
    public void StartStatusOnly() => StartStatus();

    /// <summary>Tells the coordinator, wherever it runs, to stop the run gracefully.</summary>
    public void StopRun() => Coordinator.Tell(CoordinatorProtocol.StopRun.Instance);

    /// <summary>Leaves the cluster gracefully (shards hand off, the singleton moves) and terminates the actor system.</summary>
    public async Task LeaveAsync()
    {
        await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).ConfigureAwait(false);
        await _system.WhenTerminated.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_system.WhenTerminated.IsCompleted) await LeaveAsync().ConfigureAwait(false);
    }

    /// <summary>Updates larger than a frame go in chunks of the model chunks' size in bytes.</summary>
    private UpdateChunking UpdateChunks => UpdateChunking.ForFrame(_settings.MaximumFrameSize, 4 * _settings.ModelChunkFloats);

    private void StartStatus() => _status ??= _system.ActorOf(NodeStatusActor.Props(_region, Coordinator), "status");
}
