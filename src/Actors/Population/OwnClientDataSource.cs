namespace FedActors.Actors.Population;

/// <summary>
/// The clients a client-role node holds: their data lives in this process alone. Asked for any other client
/// of the population it throws, so a job routed to the wrong node fails instead of training on data it
/// should not see.
/// </summary>
public sealed class OwnClientDataSource : IClientDataSource
{
    private readonly IReadOnlyDictionary<int, ClientData> _clients;

    /// <summary>Creates the source.</summary>
    /// <param name="populationSize">The run's population (<c>fedactors.population.clients</c>); ids are below it.</param>
    /// <param name="clients">This node's clients and their data.</param>
    public OwnClientDataSource(int populationSize, IReadOnlyDictionary<int, ClientData> clients)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(populationSize);
        if (clients.Count == 0) throw new ArgumentException("a client node needs at least one client", nameof(clients));
        foreach (var id in clients.Keys)
            if ((uint)id >= (uint)populationSize)
                throw new ArgumentOutOfRangeException(nameof(clients), $"client id {id} is outside the population [0, {populationSize})");
        ClientCount = populationSize;
        _clients = clients;
        ClientIds = clients.Keys.Order().ToArray();
    }

    /// <inheritdoc />
    public int ClientCount { get; }

    /// <summary>The clients held here, ascending.</summary>
    public IReadOnlyList<int> ClientIds { get; }

    /// <summary>Training samples held here, over all clients.</summary>
    public long TotalSamples => _clients.Values.Sum(c => (long)c.SampleCount);

    /// <inheritdoc />
    public ClientData Get(int clientId) => _clients.TryGetValue(clientId, out var data) ? data
        : throw new ArgumentOutOfRangeException(nameof(clientId), $"client {clientId}'s data is not on this node (it holds {string.Join(", ", ClientIds)})");

    /// <inheritdoc />
    public int SampleCount(int clientId) => Get(clientId).SampleCount;
}
