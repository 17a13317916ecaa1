using Akka.Actor;

namespace FedActors.Actors.Clients;

/// <summary>
/// Hosts client actors on one node, a stand-in for an Akka.Cluster.Sharding region: it routes each
/// <see cref="ClientProtocol.ClientEnvelope"/> to the client's actor, creating it on demand, and stops
/// clients that ask to passivate. Messages for a client that is stopping are buffered and delivered to
/// its next incarnation, so none is lost to the race between passivation and new work.
/// </summary>
public sealed class ClientRegion : ReceiveActor
{
    private readonly Func<int, Props> _clientProps;
    private readonly Dictionary<int, IActorRef> _active = new();
    private readonly Dictionary<IActorRef, int> _ids = new();
    private readonly Dictionary<int, List<(object Message, IActorRef Sender)>> _stopping = new();

    /// <summary>Creates a region whose clients are built by <paramref name="clientProps"/>.</summary>
    public ClientRegion(Func<int, Props> clientProps)
    {
        _clientProps = clientProps;
        Receive<ClientProtocol.ClientEnvelope>(e =>
        {
            if (_stopping.TryGetValue(e.ClientId, out var buffer)) buffer.Add((e.Message, Sender));
            else ClientFor(e.ClientId).Tell(e.Message, Sender);
        });
        Receive<ClientProtocol.Passivate>(p =>
        {
            if (!_active.Remove(p.ClientId, out var client)) return;
            _stopping[p.ClientId] = new List<(object, IActorRef)>();
            Context.Stop(client);
        });
        Receive<Terminated>(t =>
        {
            if (!_ids.Remove(t.ActorRef, out var id)) return;
            _active.Remove(id);
            if (_stopping.Remove(id, out var buffer) && buffer.Count > 0)
            {
                var client = ClientFor(id);
                foreach (var (message, sender) in buffer) client.Tell(message, sender);
            }
        });
    }

    /// <summary>Client actors alive now.</summary>
    public int ActiveClients => _active.Count;

    /// <summary>Props for a region whose clients use the trainer pool <paramref name="trainers"/>.</summary>
    public static Props Props(IActorRef trainers) => Akka.Actor.Props.Create(() => new ClientRegion(id => ClientActor.Props(id, trainers)));

    private IActorRef ClientFor(int clientId)
    {
        if (_active.TryGetValue(clientId, out var client)) return client;
        // Names need not be unique over time: a passivated client's name is free once it has terminated.
        client = Context.ActorOf(_clientProps(clientId), $"client-{clientId}");
        Context.Watch(client);
        _active[clientId] = client;
        _ids[client] = clientId;
        return client;
    }
}
