namespace FedActors.Actors.Population;

/// <summary>
/// The population of virtual clients: how many there are and, for a client id, its data. Implementations
/// are thread-safe (trainers call them concurrently) and keep nothing per idle client.
/// </summary>
public interface IClientDataSource
{
    /// <summary>Number of clients; ids are 0 … ClientCount − 1.</summary>
    int ClientCount { get; }

    /// <summary>The data of client <paramref name="clientId"/>.</summary>
    ClientData Get(int clientId);

    /// <summary>Samples client <paramref name="clientId"/> holds.</summary>
    int SampleCount(int clientId);
}
