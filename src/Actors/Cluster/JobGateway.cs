using Akka.Actor;
using Akka.Cluster;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;
using FedActors.Actors.Simulation;

namespace FedActors.Actors.Cluster;

/// <summary>
/// The coordinator's door to the sharded clients. It stands where the one-node runtime has its client
/// region: the coordinator sends it <see cref="ClientProtocol.ClientEnvelope"/>s, and it sends each job as a
/// <see cref="ClusterProtocol.TrainAssignment"/> (ids and a version number, no weights) through the shard
/// region, serves the versions of jobs in flight in chunks, and passes each job's first result to the
/// coordinator. Jobs that a dead or departing worker took with it are sent again: a job released by its
/// entity at once, every unanswered job when a worker node is removed from the cluster. A job answered
/// twice reaches the coordinator once. An update too large for a frame arrives in chunks
/// (<see cref="UpdateChunking"/>), which the gateway reassembles and checks (order, length, SHA-256); a broken
/// one is never applied: its job is sent again (the same job trains to the same update), and after
/// <see cref="MaxBrokenUpdates"/> broken ones it is reported to the coordinator as failed. Every byte sent or
/// received is counted in <see cref="WireTraffic"/>, which the coordinator reads as the run's <c>bytes_up</c> and <c>bytes_down</c>.
/// <para>With registered real clients (<c>fedactors.cluster.clients = registered</c>) the gateway routes each
/// job to the client-role node that registered the client, never to worker shards, and takes a result for a
/// client only from that node. Jobs whose owner left the cluster (or registered again from another process)
/// are reported to the coordinator as failed: the data lives on that node alone, so nobody else can train
/// them, and the coordinator gives the slot to a client that is still there.</para>
/// </summary>
public sealed class JobGateway : ReceiveActor, IWithTimers
{
    private readonly IActorRef _region;
    private readonly WireTraffic _traffic;
    private static readonly TimeSpan ResendDelay = TimeSpan.FromSeconds(1);

    /// <summary>Broken chunked updates of one job after which the job is reported as failed instead of sent again.</summary>
    public const int MaxBrokenUpdates = 3;

    private readonly Dictionary<JobId, InFlight> _inFlight = new();
    private readonly Dictionary<(JobId Job, IActorRef Sender), UpdateAssembly> _assemblies = new();
    private readonly IClock _clock;
    private readonly TimeSpan _resendAfter;
    private readonly Dictionary<long, (ModelVersion Version, int Jobs)> _versions = new();
    // A compressed broadcast's encoding, made once per version when a node first asks for it.
    private readonly Dictionary<long, byte[]> _encoded = new();
    private IActorRef _coordinator = ActorRefs.Nobody;
    private readonly bool _registeredClients;
    private IReadOnlyDictionary<int, IActorRef> _owners = new Dictionary<int, IActorRef>();

    /// <summary>Creates the gateway.</summary>
    /// <param name="region">The client shard region (a proxy on the coordinator's node).</param>
    /// <param name="traffic">Where serialized bytes are counted.</param>
    /// <param name="resendAfter">A job unanswered this long (wall time) is sent again.</param>
    /// <param name="clock">Wall time.</param>
    /// <param name="registeredClients">Route jobs to the nodes that registered their clients (see <see cref="OwnersChanged"/>) instead of the shard region.</param>
    public JobGateway(IActorRef region, WireTraffic traffic, TimeSpan resendAfter, IClock clock, bool registeredClients = false)
    {
        _registeredClients = registeredClients;
        _region = region;
        _traffic = traffic;
        _resendAfter = resendAfter;
        _clock = clock;

        Receive<ClientProtocol.ClientEnvelope>(e =>
        {
            if (e.Message is not ClientProtocol.TrainJob job) return;
            _coordinator = Sender;
            if (_inFlight.ContainsKey(job.Job)) return;
            var assignment = new ClusterProtocol.TrainAssignment(job.Job, job.ClientId, job.Base.Number, job.Options, job.Seed) { PreviousJob = job.PreviousJob };
            _versions[job.Base.Number] = _versions.TryGetValue(job.Base.Number, out var v) ? (v.Version, v.Jobs + 1) : (job.Base, 1);
            Send(assignment);
        });
        Receive<ClientProtocol.ClientUpdate>(u => Accept(u, _traffic.Received(u)));
        Receive<ClusterProtocol.UpdateChunk>(OnChunk);
        Receive<ClusterProtocol.UpdateChunksEnd>(OnChunksEnd);
        Receive<ClientProtocol.JobFailed>(f => Accept(f, _traffic.Received(f)));
        Receive<OwnersChanged>(changed =>
        {
            var before = _owners;
            _owners = changed.Owners;
            // A job sent to an owner that is gone (or was replaced by a new process) will never be answered.
            foreach (var job in _inFlight.Values.OrderBy(j => j.Assignment.Job.Value).ToArray())
            {
                int client = job.Assignment.ClientId;
                if (before.TryGetValue(client, out var old) && (!_owners.TryGetValue(client, out var now) || !now.Equals(old)))
                    Fail(job.Assignment, $"client {client}'s node {old.Path.Address} left the run");
            }
        });
        Receive<ClusterProtocol.JobReleased>(r =>
        {
            if (_inFlight.TryGetValue(r.Job, out var j)) Send(j.Assignment);
        });
        Receive<ClusterProtocol.FetchModelChunk>(f =>
        {
            object answer = !_versions.TryGetValue(f.Version, out var v) ? new ClusterProtocol.ModelVersionUnavailable(f.Version)
                : v.Version.Broadcast is { } broadcast ? BroadcastChunk(f, broadcast)
                : f.Offset <= v.Version.Dimension ? new ClusterProtocol.ModelChunk(f.Version, f.Offset, v.Version.Dimension,
                    v.Version.Weights.AsSpan(f.Offset, Math.Min(f.Count, v.Version.Dimension - f.Offset)).ToArray())
                : new ClusterProtocol.ModelVersionUnavailable(f.Version);
            _traffic.Sent(answer);
            Sender.Tell(answer);
        });
        // The coordinator acknowledges to us; a client entity keeps no copy of a result to resend, so nothing more is owed to it.
        Receive<ClientProtocol.ResultAcknowledged>(_ => { });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            if (!removed.Member.HasRole(ClusterConfig.RoleName(NodeRole.Worker))) return;
            // Not at once: the shard region must first learn that the node is gone, or it routes the jobs to it again.
            Timers.StartSingleTimer("resend-" + removed.Member.Address, new ResendInFlight(removed.Member.Address.ToString()), ResendDelay);
        });
        Receive<ResendInFlight>(_ => ResendAll());
        Receive<CheckOverdue>(_ =>
        {
            // A safety net for losses nobody reports (a message dropped in a shard hand-off race): jobs unanswered for long are sent again.
            double now = _clock.Seconds;
            var overdue = _inFlight.Values.Where(j => now - j.SentAt > _resendAfter.TotalSeconds).Select(j => j.Assignment).ToArray();
            _traffic.AddResent(overdue.Length);
            foreach (var assignment in overdue) Send(assignment);
            // Halves of updates whose job was answered otherwise (or whose sender died) only hold memory.
            foreach (var key in _assemblies.Keys.Where(k => !_inFlight.ContainsKey(k.Job)).ToArray()) DropAssembly(key);
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the gateway.</summary>
    /// <param name="region">The client shard region (a proxy on the coordinator's node).</param>
    /// <param name="traffic">Where serialized bytes are counted.</param>
    /// <param name="resendAfter">A job unanswered this long (wall time) is sent again.</param>
    /// <param name="registeredClients">Route jobs to the nodes that registered their clients instead of the shard region.</param>
    public static Props Props(IActorRef region, WireTraffic traffic, TimeSpan resendAfter, bool registeredClients = false) =>
        Akka.Actor.Props.Create(() => new JobGateway(region, traffic, resendAfter, new WallClock(), registeredClients));

    /// <summary>
    /// The coordinator host's registry changed: client id → the client actor of the node that holds its data.
    /// A whole new map each time; the gateway keeps no registry of its own.
    /// </summary>
    /// <param name="Owners">Every registered client's owner.</param>
    public sealed record OwnersChanged(IReadOnlyDictionary<int, IActorRef> Owners);

    /// <inheritdoc />
    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("overdue", CheckOverdue.Instance, TimeSpan.FromSeconds(Math.Max(1, _resendAfter.TotalSeconds / 4)));
    }

    /// <inheritdoc />
    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    // Offset and count are in bytes for a compressed broadcast: 4 per value asked, the frame a float chunk fills.
    private object BroadcastChunk(ClusterProtocol.FetchModelChunk f, Updates.UpdatePayload broadcast)
    {
        if (!_encoded.TryGetValue(f.Version, out var bytes)) _encoded[f.Version] = bytes = Updates.UpdatePayloadCodec.Encode(broadcast);
        if (f.Offset > bytes.Length) return new ClusterProtocol.ModelVersionUnavailable(f.Version);
        int count = (int)Math.Min(4L * f.Count, bytes.Length - f.Offset);
        return new ClusterProtocol.BroadcastChunk(f.Version, f.Offset, bytes.Length, bytes.AsMemory(f.Offset, count));
    }

    private void Send(ClusterProtocol.TrainAssignment assignment)
    {
        int broken = _inFlight.TryGetValue(assignment.Job, out var known) ? known.BrokenUpdates : 0;
        if (!_registeredClients)
        {
            _traffic.Sent(assignment);
            _inFlight[assignment.Job] = new InFlight(assignment, _clock.Seconds, broken);
            _region.Tell(assignment);
            return;
        }
        if (!_owners.TryGetValue(assignment.ClientId, out var owner))
        {
            // Only when the owner left between the coordinator's choice and now: it selects registered clients alone.
            _inFlight[assignment.Job] = new InFlight(assignment, _clock.Seconds, broken);
            Fail(assignment, $"client {assignment.ClientId} is not registered by any client node");
            return;
        }
        _traffic.Sent(assignment);
        _inFlight[assignment.Job] = new InFlight(assignment, _clock.Seconds, broken);
        owner.Tell(assignment);
    }

    /// <summary>Ends a job in flight as failed, as if its client had reported it, so that the coordinator frees the slot.</summary>
    private void Fail(ClusterProtocol.TrainAssignment assignment, string reason)
    {
        if (!_inFlight.ContainsKey(assignment.Job)) return;
        var failure = new ClientProtocol.JobFailed(assignment.Job, assignment.ClientId, reason);
        // Not counted as traffic: nothing crossed the network.
        Accept(failure, 0);
    }

    private void ResendAll()
    {
        if (_inFlight.Count == 0) return;
        // Which jobs the node held is not known here; entities that still hold theirs ignore the duplicate.
        _traffic.AddResent(_inFlight.Count);
        foreach (var job in _inFlight.Values.OrderBy(j => j.Assignment.Job.Value).ToArray()) Send(job.Assignment);
    }

    private bool FromOwner(int clientId) =>
        _owners.TryGetValue(clientId, out var owner) && Sender.Path.Address.Equals(owner.Path.Address);

    private sealed record InFlight(ClusterProtocol.TrainAssignment Assignment, double SentAt, int BrokenUpdates);

    private void OnChunk(ClusterProtocol.UpdateChunk chunk)
    {
        _traffic.Received(chunk);
        // Chunks of a job nobody waits for (answered already) are not kept; its end is then ignored as a duplicate.
        if (!_inFlight.ContainsKey(chunk.Job)) return;
        var key = (chunk.Job, Sender);
        if (chunk.Index == 0)
        {
            // A first chunk starts afresh: the sender trains the job again after a resend.
            DropAssembly(key);
            _assemblies[key] = new UpdateAssembly(chunk);
        }
        else if (_assemblies.TryGetValue(key, out var assembly)) assembly.Add(chunk);
        else _assemblies[key] = new UpdateAssembly(chunk); // records that the chunks before it are missing
    }

    private void OnChunksEnd(ClusterProtocol.UpdateChunksEnd end)
    {
        long bytes = _traffic.Received(end);
        var key = (end.Job, Sender);
        if (!_inFlight.TryGetValue(end.Job, out var job) || (_registeredClients && !FromOwner(end.ClientId)))
        {
            // A duplicate of an answered job, or a node that does not hold the client's data.
            DropAssembly(key);
            return;
        }
        ClientProtocol.ClientUpdate? update = null;
        string error;
        if (_assemblies.Remove(key, out var assembly))
        {
            using (assembly) update = assembly.Finish(end);
            error = assembly.Error ?? "";
        }
        else error = $"job {end.Job}'s update ended, but none of its chunks arrived";
        if (update is not null)
        {
            Accept(update, bytes);
            return;
        }
        _traffic.AddBrokenUpdate();
        var assignment = job.Assignment;
        if (job.BrokenUpdates + 1 >= MaxBrokenUpdates)
        {
            Fail(assignment, $"{MaxBrokenUpdates} updates of job {end.Job} from {Sender.Path.Address} arrived broken, the last because {error}");
            return;
        }
        // Never applied: the job is sent again, and trains to the same update.
        _inFlight[end.Job] = job with { BrokenUpdates = job.BrokenUpdates + 1 };
        _traffic.AddResent(1);
        Send(assignment);
    }

    private void DropAssembly((JobId, IActorRef) key)
    {
        if (_assemblies.Remove(key, out var assembly)) assembly.Dispose();
    }

    private sealed record ResendInFlight(string RemovedNode);

    private sealed record CheckOverdue
    {
        public static CheckOverdue Instance { get; } = new();
    }

    /// <summary>A result that arrived (its bytes already counted), or one made here (<paramref name="bytes"/> = 0).</summary>
    private void Accept(ClientProtocol.IClientResult result, long bytes)
    {
        // A real client's result counts only from the node that registered it: another process cannot speak for data it does not hold.
        if (_registeredClients && bytes > 0 && !FromOwner(result.ClientId)) return;
        if (!_inFlight.Remove(result.Job, out var job)) return; // a duplicate of an answered job
        if (_assemblies.Count > 0)
            foreach (var key in _assemblies.Keys.Where(k => k.Job == result.Job).ToArray()) DropAssembly(key);
        var assignment = job.Assignment;
        if (_versions.TryGetValue(assignment.BaseVersion, out var v))
        {
            if (v.Jobs <= 1)
            {
                _versions.Remove(assignment.BaseVersion);
                _encoded.Remove(assignment.BaseVersion);
            }
            else _versions[assignment.BaseVersion] = (v.Version, v.Jobs - 1);
        }
        _coordinator.Tell(result);
    }
}

/// <summary>
/// Serialized bytes a cluster run moved, counted by the coordinator's <see cref="JobGateway"/> as the wire
/// serializer sizes each message, and read by the coordinator as the run's <c>bytes_up</c> and <c>bytes_down</c>.
/// Closed when the run ends: bytes and messages after that (late answers of jobs still in flight) are counted
/// apart, so the run's counts and these agree exactly. Thread-safe.
/// </summary>
public sealed class WireTraffic : IWireMeter
{
    private readonly Lock _gate = new();
    private bool _closed;
    private long _up, _down, _lateUp, _lateDown;
    private long _jobsSent, _modelChunks, _versionsUnavailable, _updateChunks;
    private long _resent, _brokenUpdates;

    /// <summary>Bytes of client results received until the run ended: updates whole or in chunks, failures, duplicates included.</summary>
    public long BytesUp
    {
        get { lock (_gate) return _up; }
    }

    /// <summary>Bytes sent to clients until the run ended: job assignments and model-version chunks.</summary>
    public long BytesDown
    {
        get { lock (_gate) return _down; }
    }

    /// <summary>Bytes received after the run ended.</summary>
    public long LateBytesUp
    {
        get { lock (_gate) return _lateUp; }
    }

    /// <summary>Bytes sent after the run ended.</summary>
    public long LateBytesDown
    {
        get { lock (_gate) return _lateDown; }
    }

    /// <summary>Job assignments sent until the run ended (resends included).</summary>
    public long JobsSent
    {
        get { lock (_gate) return _jobsSent; }
    }

    /// <summary>Model-version chunks sent until the run ended.</summary>
    public long ModelChunksSent
    {
        get { lock (_gate) return _modelChunks; }
    }

    /// <summary>Answers that a version is no longer held, sent until the run ended.</summary>
    public long VersionsUnavailable
    {
        get { lock (_gate) return _versionsUnavailable; }
    }

    /// <summary>Chunks of updates too large for a frame received until the run ended.</summary>
    public long UpdateChunksReceived
    {
        get { lock (_gate) return _updateChunks; }
    }

    /// <summary>Jobs sent again: a worker node was removed, the job was overdue, or its chunked update arrived broken.</summary>
    public long JobsResent => Interlocked.Read(ref _resent);

    /// <summary>Chunked updates that arrived broken (missing, repeated or corrupt chunks) and were not applied.</summary>
    public long BrokenUpdates => Interlocked.Read(ref _brokenUpdates);

    /// <inheritdoc />
    public void Close()
    {
        lock (_gate) _closed = true;
    }

    /// <summary>Counts a message sent, at its serialized size; returns the size.</summary>
    internal long Sent(object message)
    {
        long bytes = WireSerializer.SizeOf(message);
        lock (_gate)
        {
            if (_closed)
            {
                _lateDown += bytes;
                return bytes;
            }
            _down += bytes;
            switch (message)
            {
                case ClusterProtocol.TrainAssignment: _jobsSent++; break;
                case ClusterProtocol.ModelChunk or ClusterProtocol.BroadcastChunk: _modelChunks++; break;
                case ClusterProtocol.ModelVersionUnavailable: _versionsUnavailable++; break;
            }
        }
        return bytes;
    }

    /// <summary>Counts a message received, at its serialized size; returns the size.</summary>
    internal long Received(object message)
    {
        long bytes = WireSerializer.SizeOf(message);
        lock (_gate)
        {
            if (_closed)
            {
                _lateUp += bytes;
                return bytes;
            }
            _up += bytes;
            if (message is ClusterProtocol.UpdateChunk) _updateChunks++;
        }
        return bytes;
    }

    internal void AddResent(long jobs) => Interlocked.Add(ref _resent, jobs);

    internal void AddBrokenUpdate() => Interlocked.Increment(ref _brokenUpdates);
}
