namespace FedActors.Actors.Population;

/// <summary>
/// The coordinator's view of real clients: ids only. Their data, and so their sample counts, stay on the
/// nodes that registered them; updates report the samples they trained on.
/// </summary>
/// <param name="clientCount">The run's population (<c>fedactors.population.clients</c>).</param>
public sealed class RemoteClientPopulation(int clientCount) : IClientDataSource
{
    /// <inheritdoc />
    public int ClientCount { get; } = clientCount > 0 ? clientCount : throw new ArgumentOutOfRangeException(nameof(clientCount), $"the population needs at least one client, got {clientCount}");

    /// <inheritdoc />
    public ClientData Get(int clientId) => throw new InvalidOperationException($"client {clientId} is a real client: its data is on the node that registered it");

    /// <inheritdoc />
    public int SampleCount(int clientId) => throw new InvalidOperationException($"client {clientId} is a real client: its sample count travels with its updates");
}
