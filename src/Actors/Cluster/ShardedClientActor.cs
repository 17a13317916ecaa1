using Akka.Actor;
using Akka.Cluster.Sharding;
using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;
using FedActors.Actors.Trainers;

namespace FedActors.Actors.Cluster;

/// <summary>
/// One virtual client as a sharding entity on a worker node. It takes <see cref="ClusterProtocol.TrainAssignment"/>s,
/// gets the base version from the node's <see cref="ModelVersionCache"/> (fetched once per node, not per
/// job), trains on the node's trainer pool and replies to the job's sender (an update larger than a frame
/// in chunks, see <see cref="UpdateChunking"/>). Idle, it asks its shard to
/// passivate it; stopped while it still holds jobs (its shard moved), it hands them back to be sent again.
/// </summary>
public sealed class ShardedClientActor : ReceiveActor
{
    private readonly int _clientId;
    private readonly IActorRef _trainers;
    private readonly IActorRef _cache;
    private readonly Dictionary<JobId, Pending> _pending = new();
    private readonly Queue<JobId> _waitingForSlot = new();
    private readonly Action<ClientProtocol.IClientResult>? _answered;
    private readonly UpdateChunking? _chunking;

    /// <summary>Creates the entity.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="trainers">The node's trainer pool.</param>
    /// <param name="cache">The node's model-version cache.</param>
    /// <param name="answered">Told every result just before it is sent (on the actor's thread); must be thread-safe.</param>
    /// <param name="chunking">How updates too large for a frame are sent; null sends every result whole (one process, tests).</param>
    public ShardedClientActor(int clientId, IActorRef trainers, IActorRef cache, Action<ClientProtocol.IClientResult>? answered = null,
        UpdateChunking? chunking = null)
    {
        _answered = answered;
        _chunking = chunking;
        _clientId = clientId;
        _trainers = trainers;
        _cache = cache;

        Receive<ClusterProtocol.TrainAssignment>(job =>
        {
            if (_pending.TryGetValue(job.Job, out var known))
            {
                // A retried job that is already here is already on its way, but the answer goes to whoever asked
                // last: after a coordinator failover the first sender is gone.
                if (known.ReplyTo.Equals(Sender)) return;
                _pending[job.Job] = known with { ReplyTo = Sender };
                if (known.Train is null) _cache.Tell(new ModelVersionCache.GetVersion(job.BaseVersion, Sender));
                return;
            }
            _pending[job.Job] = new Pending(job, Sender);
            _cache.Tell(new ModelVersionCache.GetVersion(job.BaseVersion, Sender));
        });
        Receive<ModelVersionCache.VersionReady>(ready =>
        {
            foreach (var p in _pending.Values.Where(p => p.Job.BaseVersion == ready.Version.Number && p.Train is null).ToArray())
            {
                var train = new ClientProtocol.TrainJob(p.Job.Job, _clientId, ready.Version, p.Job.Options, p.Job.Seed) { PreviousJob = p.Job.PreviousJob };
                _pending[p.Job.Job] = p with { Train = train };
                _trainers.Tell(ClientActor.Training(train));
            }
        });
        Receive<ModelVersionCache.VersionUnavailable>(missing =>
        {
            foreach (var p in _pending.Values.Where(p => p.Job.BaseVersion == missing.Version && p.Train is null).ToArray())
            {
                _pending.Remove(p.Job.Job);
                Answer(p.ReplyTo, new ClientProtocol.JobFailed(p.Job.Job, _clientId, missing.Reason ?? $"model version {missing.Version} is no longer available"));
            }
            PassivateIfIdle();
        });
        Receive<TrainerProtocol.PoolBusy>(busy => _waitingForSlot.Enqueue(busy.Job));
        Receive<TrainerProtocol.SlotAvailable>(_ =>
        {
            if (_waitingForSlot.TryDequeue(out var id) && _pending.TryGetValue(id, out var p) && p.Train is not null)
                _trainers.Tell(ClientActor.Training(p.Train));
        });
        Receive<TrainerProtocol.Trained>(done =>
        {
            if (!_pending.Remove(done.Job, out var p)) return;
            Answer(p.ReplyTo, new ClientProtocol.ClientUpdate(done.Job, _clientId, p.Job.BaseVersion, done.Payload, done.Stats));
            PassivateIfIdle();
        });
        Receive<TrainerProtocol.TrainingFailed>(failed =>
        {
            if (!_pending.Remove(failed.Job, out var p)) return;
            Answer(p.ReplyTo, new ClientProtocol.JobFailed(failed.Job, _clientId, failed.Reason));
            PassivateIfIdle();
        });
        Receive<Stop>(_ =>
        {
            // Passivation or hand-off: whatever is still pending would be lost with us, so it goes back to be sent again.
            foreach (var p in _pending.Values) p.ReplyTo.Tell(new ClusterProtocol.JobReleased(p.Job.Job, _clientId));
            _pending.Clear();
            Context.Stop(Self);
        });
    }

    /// <summary>Props of client <paramref name="clientId"/>.</summary>
    public static Props Props(int clientId, IActorRef trainers, IActorRef cache, Action<ClientProtocol.IClientResult>? answered = null,
        UpdateChunking? chunking = null) =>
        Akka.Actor.Props.Create(() => new ShardedClientActor(clientId, trainers, cache, answered, chunking));

    private void Answer(IActorRef replyTo, ClientProtocol.IClientResult result)
    {
        _answered?.Invoke(result);
        if (_chunking is null) replyTo.Tell(result, Self);
        else _chunking.Send(replyTo, result, Self);
    }

    private void PassivateIfIdle()
    {
        if (_pending.Count == 0) Context.Parent.Tell(new Passivate(Stop.Instance));
    }

    /// <summary>The stop message of passivation and hand-off.</summary>
    public sealed record Stop
    {
        /// <summary>The single instance.</summary>
        public static Stop Instance { get; } = new();
    }

    private sealed record Pending(ClusterProtocol.TrainAssignment Job, IActorRef ReplyTo)
    {
        public ClientProtocol.TrainJob? Train { get; init; }
    }
}
