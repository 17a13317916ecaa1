using Akka.Actor;

namespace FedActors.Actors.Clients;

/// <summary>
/// Hosts client actors on one node, a stand-in for an Akka.Cluster.Sharding region: it routes each
/// <see cref="ClientProtocol.ClientEnvelope"/> to the client's actor, creating it on demand, keeps up to
/// <see cref="ClientRegionSettings.MaxIdleActors"/> idle clients alive and stops the least recently used idle
/// client beyond that. Messages for a client that is stopping are buffered and delivered to it (if it turned
/// out to have new work) or to its next incarnation, so none is lost to the race between passivation and new work.
/// </summary>
public sealed class ClientRegion : ReceiveActor
{
    private readonly Func<int, Props> _clientProps;
    private readonly int _maxIdle;
    private readonly Dictionary<int, IActorRef> _active = new();
    private readonly Dictionary<int, (IActorRef Client, List<(object Message, IActorRef Sender)> Buffer)> _passivating = new();
    private readonly Dictionary<IActorRef, int> _stopping = new();
    // Idle clients, least recently idle first; a client given work leaves the list.
    private readonly LinkedList<int> _idle = new();
    private readonly Dictionary<int, LinkedListNode<int>> _idleNodes = new();

    /// <summary>Creates a region whose clients are built by <paramref name="clientProps"/> and that stops every idle client.</summary>
    public ClientRegion(Func<int, Props> clientProps) : this(clientProps, ClientRegionSettings.Default with { MaxIdleActors = 0 }) { }

    /// <summary>Creates a region whose clients are built by <paramref name="clientProps"/>.</summary>
    public ClientRegion(Func<int, Props> clientProps, ClientRegionSettings settings)
    {
        _clientProps = clientProps;
        _maxIdle = settings.MaxIdleActors;
        Receive<ClientProtocol.ClientEnvelope>(e =>
        {
            if (_passivating.TryGetValue(e.ClientId, out var p)) p.Buffer.Add((e.Message, Sender));
            else
            {
                if (_idleNodes.Remove(e.ClientId, out var node)) _idle.Remove(node);
                ClientFor(e.ClientId).Tell(e.Message, Sender);
            }
        });
        Receive<ClientProtocol.Passivate>(p =>
        {
            if (!_active.TryGetValue(p.ClientId, out var client) || !client.Equals(Sender)) return;
            if (_idleNodes.ContainsKey(p.ClientId)) return;
            _idleNodes[p.ClientId] = _idle.AddLast(p.ClientId);
            while (_idle.Count > _maxIdle) Stop(_idle.First!.Value);
        });
        Receive<ClientProtocol.Resume>(r =>
        {
            if (!_passivating.Remove(r.ClientId, out var p)) return;
            _stopping.Remove(p.Client);
            _active[r.ClientId] = p.Client;
            foreach (var (message, sender) in p.Buffer) p.Client.Tell(message, sender);
        });
        Receive<Terminated>(t =>
        {
            if (!_stopping.Remove(t.ActorRef, out var id)) return;
            if (!_passivating.TryGetValue(id, out var p) || !p.Client.Equals(t.ActorRef)) return;
            _passivating.Remove(id);
            if (p.Buffer.Count > 0)
            {
                var client = ClientFor(id);
                foreach (var (message, sender) in p.Buffer) client.Tell(message, sender);
            }
        });
    }

    /// <summary>Props for a region whose clients use the trainer pool <paramref name="trainers"/>.</summary>
    public static Props Props(IActorRef trainers, ClientRegionSettings settings) =>
        Akka.Actor.Props.Create(() => new ClientRegion(id => ClientActor.Props(id, trainers), settings));

    /// <summary>Passivates idle client <paramref name="clientId"/>: it stops unless work reached it in the meantime.</summary>
    private void Stop(int clientId)
    {
        if (_idleNodes.Remove(clientId, out var node)) _idle.Remove(node);
        if (!_active.Remove(clientId, out var client)) return;
        _passivating[clientId] = (client, new List<(object, IActorRef)>());
        _stopping[client] = clientId;
        // Not Context.Stop: work already in the client's mailbox must be seen before it decides to stop.
        client.Tell(new ClientProtocol.StopClient(clientId));
    }

    private IActorRef ClientFor(int clientId)
    {
        if (_active.TryGetValue(clientId, out var client)) return client;
        // Names need not be unique over time: a passivated client's name is free once it has terminated.
        client = Context.ActorOf(_clientProps(clientId), $"client-{clientId}");
        Context.Watch(client);
        _active[clientId] = client;
        return client;
    }
}
