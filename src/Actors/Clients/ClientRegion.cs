using Akka.Actor;

namespace FedActors.Actors.Clients;

/// <summary>
/// Hosts client actors on one node, a stand-in for an Akka.Cluster.Sharding region: it routes each
/// <see cref="ClientProtocol.ClientEnvelope"/> to the client's actor, creating it on demand, and stops
/// clients that ask to passivate. Messages for a client that is stopping are buffered and delivered to
/// it (if it turned out to have new work) or to its next incarnation, so none is lost to the race
/// between passivation and new work.
/// </summary>
public sealed class ClientRegion : ReceiveActor
{
    private readonly Func<int, Props> _clientProps;
    private readonly Dictionary<int, IActorRef> _active = new();
    private readonly Dictionary<int, (IActorRef Client, List<(object Message, IActorRef Sender)> Buffer)> _passivating = new();

    /// <summary>Creates a region whose clients are built by <paramref name="clientProps"/>.</summary>
    public ClientRegion(Func<int, Props> clientProps)
    {
        _clientProps = clientProps;
        Receive<ClientProtocol.ClientEnvelope>(e =>
        {
            if (_passivating.TryGetValue(e.ClientId, out var p)) p.Buffer.Add((e.Message, Sender));
            else ClientFor(e.ClientId).Tell(e.Message, Sender);
        });
        Receive<ClientProtocol.Passivate>(p =>
        {
            if (!_active.TryGetValue(p.ClientId, out var client) || !client.Equals(Sender)) return;
            _active.Remove(p.ClientId);
            _passivating[p.ClientId] = (client, new List<(object, IActorRef)>());
            // Not Context.Stop: work already in the client's mailbox must be seen before it decides to stop.
            client.Tell(new ClientProtocol.StopClient(p.ClientId));
        });
        Receive<ClientProtocol.Resume>(r =>
        {
            if (!_passivating.Remove(r.ClientId, out var p)) return;
            _active[r.ClientId] = p.Client;
            foreach (var (message, sender) in p.Buffer) p.Client.Tell(message, sender);
        });
        Receive<Terminated>(t =>
        {
            var id = _passivating.FirstOrDefault(kv => kv.Value.Client.Equals(t.ActorRef)).Key;
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
    public static Props Props(IActorRef trainers) => Akka.Actor.Props.Create(() => new ClientRegion(id => ClientActor.Props(id, trainers)));

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
