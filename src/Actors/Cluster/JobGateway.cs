using Akka.Actor;
using Akka.Cluster;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;

namespace FedActors.Actors.Cluster;

/// <summary>
/// The coordinator's door to the sharded clients. It stands where the one-node runtime has its client
/// region: the coordinator sends it <see cref="ClientProtocol.ClientEnvelope"/>s, and it sends each job as a
/// <see cref="ClusterProtocol.TrainAssignment"/> (ids and a version number, no weights) through the shard
/// region, serves the versions of jobs in flight in chunks, and passes each job's first result to the
/// coordinator. Jobs that a dead or departing worker took with it are sent again: a job released by its
/// entity at once, every unanswered job when a worker node is removed from the cluster. A job answered
/// twice reaches the coordinator once.
/// </summary>
public sealed class JobGateway : ReceiveActor
{
    private readonly IActorRef _region;
    private readonly WireTraffic _traffic;
    private readonly Dictionary<JobId, ClusterProtocol.TrainAssignment> _inFlight = new();
    private readonly Dictionary<long, (ModelVersion Version, int Jobs)> _versions = new();
    private IActorRef _coordinator = ActorRefs.Nobody;

    /// <summary>Creates the gateway.</summary>
    /// <param name="region">The client shard region (a proxy on the coordinator's node).</param>
    /// <param name="traffic">Where serialized bytes are counted.</param>
    public JobGateway(IActorRef region, WireTraffic traffic)
    {
        _region = region;
        _traffic = traffic;

        Receive<ClientProtocol.ClientEnvelope>(e =>
        {
            if (e.Message is not ClientProtocol.TrainJob job) return;
            _coordinator = Sender;
            if (_inFlight.ContainsKey(job.Job)) return;
            var assignment = new ClusterProtocol.TrainAssignment(job.Job, job.ClientId, job.Base.Number, job.Options, job.Seed);
            _inFlight[job.Job] = assignment;
            _versions[job.Base.Number] = _versions.TryGetValue(job.Base.Number, out var v) ? (v.Version, v.Jobs + 1) : (job.Base, 1);
            Send(assignment);
        });
        Receive<CoordinatorProtocol.ClientUpdate>(u => OnResult(u, WireSerializer.SizeOf(u)));
        Receive<CoordinatorProtocol.JobFailed>(f => OnResult(f, WireSerializer.SizeOf(f)));
        Receive<ClusterProtocol.JobReleased>(r =>
        {
            if (_inFlight.TryGetValue(r.Job, out var assignment)) Send(assignment);
        });
        Receive<ClusterProtocol.FetchModelChunk>(f =>
        {
            object answer = _versions.TryGetValue(f.Version, out var v) && f.Offset <= v.Version.Dimension
                ? new ClusterProtocol.ModelChunk(f.Version, f.Offset, v.Version.Dimension,
                    v.Version.Weights.AsSpan(f.Offset, Math.Min(f.Count, v.Version.Dimension - f.Offset)).ToArray())
                : new ClusterProtocol.ModelVersionUnavailable(f.Version);
            _traffic.AddDown(WireSerializer.SizeOf(answer));
            Sender.Tell(answer);
        });
        // The coordinator acknowledges to us; a client entity keeps no copy of a result to resend, so nothing more is owed to it.
        Receive<CoordinatorProtocol.ResultAcknowledged>(_ => { });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            if (!removed.Member.HasRole(ClusterConfig.RoleName(NodeRole.Worker)) || _inFlight.Count == 0) return;
            // Which jobs the node held is not known here; entities that still hold theirs ignore the duplicate.
            _traffic.AddResent(_inFlight.Count);
            foreach (var assignment in _inFlight.Values.OrderBy(a => a.Job.Value).ToArray()) Send(assignment);
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    /// <summary>Props of the gateway.</summary>
    public static Props Props(IActorRef region, WireTraffic traffic) => Akka.Actor.Props.Create(() => new JobGateway(region, traffic));

    /// <inheritdoc />
    protected override void PreStart() => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, typeof(ClusterEvent.MemberRemoved));

    /// <inheritdoc />
    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Send(ClusterProtocol.TrainAssignment assignment)
    {
        _traffic.AddDown(WireSerializer.SizeOf(assignment));
        _region.Tell(assignment);
    }

    private void OnResult(CoordinatorProtocol.IClientResult result, long bytes)
    {
        _traffic.AddUp(bytes);
        if (!_inFlight.Remove(result.Job, out var assignment)) return; // a duplicate of an answered job
        if (_versions.TryGetValue(assignment.BaseVersion, out var v))
        {
            if (v.Jobs <= 1) _versions.Remove(assignment.BaseVersion);
            else _versions[assignment.BaseVersion] = (v.Version, v.Jobs - 1);
        }
        _coordinator.Tell(result);
    }
}

/// <summary>Serialized bytes a cluster run moved, counted by the coordinator's <see cref="JobGateway"/>; thread-safe.</summary>
public sealed class WireTraffic
{
    private long _up;
    private long _down;
    private long _resent;

    /// <summary>Bytes of client results received (updates and failures, duplicates included).</summary>
    public long BytesUp => Interlocked.Read(ref _up);

    /// <summary>Bytes sent to workers: job assignments and model-version chunks.</summary>
    public long BytesDown => Interlocked.Read(ref _down);

    /// <summary>Jobs sent again because a worker node was removed.</summary>
    public long JobsResent => Interlocked.Read(ref _resent);

    internal void AddUp(long bytes) => Interlocked.Add(ref _up, bytes);

    internal void AddDown(long bytes) => Interlocked.Add(ref _down, bytes);

    internal void AddResent(long jobs) => Interlocked.Add(ref _resent, jobs);
}
