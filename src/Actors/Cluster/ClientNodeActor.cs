using Akka.Actor;
using Akka.Cluster.Sharding;
using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;

namespace FedActors.Actors.Cluster;

/// <summary>What a client-role node reports about itself, on actor threads; implementations are thread-safe.</summary>
public interface IClientNodeObserver
{
    /// <summary>The coordinator took the node's registration (the first time, and again after it moved).</summary>
    /// <param name="coordinator">The address of the node that hosts the coordinator.</param>
    /// <param name="clients">How many clients it registered.</param>
    void OnRegistered(string coordinator, int clients);

    /// <summary>The coordinator refused the registration; the node cannot take part in the run.</summary>
    void OnRefused(string reason);

    /// <summary>A client of this node answered a job.</summary>
    /// <param name="result">The update or failure, as sent.</param>
    /// <param name="baseVersion">The model version the job started from.</param>
    void OnAnswered(ClientProtocol.IClientResult result, long baseVersion);
}

/// <summary>
/// The client actor of a client-role node: it holds one child per client whose data lives in this process
/// (a <see cref="ShardedClientActor"/>, which fetches each model version through the node's
/// <see cref="ModelVersionCache"/> and trains on the node's trainer pool), announces those clients to the
/// coordinator singleton every <c>register-every</c>, and hands every job the coordinator's gateway routes
/// here to the client's child. A job for a client it does not hold is answered with a failure.
/// </summary>
public sealed class ClientNodeActor : ReceiveActor, IWithTimers
{
    private readonly ClusterProtocol.RegisterClients _registration;
    private readonly IActorRef _coordinator;
    private readonly TimeSpan _registerEvery;
    private readonly IClientNodeObserver _observer;
    private readonly Dictionary<int, IActorRef> _children = new();
    private Address? _registeredWith;

    /// <summary>Creates the actor.</summary>
    /// <param name="clients">This node's clients and their training-sample counts.</param>
    /// <param name="coordinator">The coordinator singleton's proxy.</param>
    /// <param name="trainers">The node's trainer pool, over the node's own data.</param>
    /// <param name="cache">The node's model-version cache.</param>
    /// <param name="registerEvery">How often the registration is sent.</param>
    /// <param name="observer">Receives registrations and answered jobs.</param>
    /// <param name="chunking">How updates too large for a frame are sent; null sends them whole.</param>
    public ClientNodeActor(IReadOnlyDictionary<int, int> clients, IActorRef coordinator, IActorRef trainers, IActorRef cache, TimeSpan registerEvery,
        IClientNodeObserver observer, UpdateChunking? chunking = null)
    {
        ArgumentNullException.ThrowIfNull(clients);
        var ids = clients.Keys.Order().ToArray();
        _registration = new ClusterProtocol.RegisterClients(ids, ids.Select(id => clients[id]).ToArray());
        _coordinator = coordinator;
        _registerEvery = registerEvery;
        _observer = observer;
        var versions = new Dictionary<JobId, long>();
        foreach (var id in ids)
            _children[id] = Context.ActorOf(ShardedClientActor.Props(id, trainers, cache, result => observer.OnAnswered(result, BaseOf(result)), chunking), $"client-{id}");

        long BaseOf(ClientProtocol.IClientResult result)
        {
            lock (versions) return versions.Remove(result.Job, out var v) ? v : -1;
        }

        Receive<ClusterProtocol.TrainAssignment>(job =>
        {
            if (!_children.TryGetValue(job.ClientId, out var child))
            {
                Sender.Tell(new ClientProtocol.JobFailed(job.Job, job.ClientId, $"client {job.ClientId} is not held by node {Akka.Cluster.Cluster.Get(Context.System).SelfAddress}"));
                return;
            }
            lock (versions) versions[job.Job] = job.BaseVersion;
            // Forwarded: the child answers the gateway and fetches the version from it directly.
            child.Forward(job);
        });
        // A real client holds its data whether or not it trains, and a node holds few of them: its children stay,
        // which also spares the race between a passivating child and a job on its way to it.
        Receive<Passivate>(_ => { });
        Receive<Register>(_ => _coordinator.Tell(_registration));
        Receive<ClusterProtocol.ClientsRegistered>(registered =>
        {
            var at = Sender.Path.Address;
            if (at.Equals(_registeredWith)) return;
            _registeredWith = at;
            _observer.OnRegistered(at.ToString(), registered.Clients);
        });
        Receive<ClusterProtocol.RegistrationRefused>(refused =>
        {
            Timers.Cancel("register");
            _observer.OnRefused(refused.Reason);
        });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the actor.</summary>
    /// <param name="clients">This node's clients and their training-sample counts.</param>
    /// <param name="coordinator">The coordinator singleton's proxy.</param>
    /// <param name="trainers">The node's trainer pool, over the node's own data.</param>
    /// <param name="cache">The node's model-version cache.</param>
    /// <param name="registerEvery">How often the registration is sent.</param>
    /// <param name="observer">Receives registrations and answered jobs.</param>
    /// <param name="chunking">How updates too large for a frame are sent; null sends them whole.</param>
    public static Props Props(IReadOnlyDictionary<int, int> clients, IActorRef coordinator, IActorRef trainers, IActorRef cache, TimeSpan registerEvery,
        IClientNodeObserver observer, UpdateChunking? chunking = null) =>
        Akka.Actor.Props.Create(() => new ClientNodeActor(clients, coordinator, trainers, cache, registerEvery, observer, chunking));

    /// <inheritdoc />
    protected override void PreStart()
    {
        Self.Tell(Register.Instance);
        // Not only until the first acknowledgement: a coordinator that takes over starts with an empty registry.
        Timers.StartPeriodicTimer("register", Register.Instance, _registerEvery);
    }

    private sealed record Register
    {
        public static Register Instance { get; } = new();
    }
}
