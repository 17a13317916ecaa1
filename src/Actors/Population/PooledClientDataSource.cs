using FedActors.Training.Data;

namespace FedActors.Actors.Population;

/// <summary>Clients that view one pooled dataset through index lists (a partition).</summary>
public sealed class PooledClientDataSource : IClientDataSource
{
    private readonly LabeledDataset _data;
    private readonly Func<int, ReadOnlyMemory<int>> _indices;

    /// <summary>Creates the population.</summary>
    /// <param name="data">The pooled training set.</param>
    /// <param name="clientCount">Number of clients.</param>
    /// <param name="indices">Client id → its sample indices, e.g. <c>partition.IndicesMemory</c>; must be thread-safe.</param>
    public PooledClientDataSource(LabeledDataset data, int clientCount, Func<int, ReadOnlyMemory<int>> indices)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clientCount);
        _data = data;
        _indices = indices;
        ClientCount = clientCount;
    }

    /// <inheritdoc />
    public int ClientCount { get; }

    /// <inheritdoc />
    public ClientData Get(int clientId) => new(_data, _indices(Check(clientId)));

    /// <inheritdoc />
    public int SampleCount(int clientId) => _indices(Check(clientId)).Length;

    /// <summary>A population of <paramref name="clients"/> clients that split <paramref name="data"/> into contiguous equal shares (tests, demos).</summary>
    public static PooledClientDataSource EvenSplit(LabeledDataset data, int clients)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clients, data.Count);
        var all = Enumerable.Range(0, data.Count).ToArray();
        return new PooledClientDataSource(data, clients, k =>
        {
            int start = (int)((long)data.Count * k / clients);
            int end = (int)((long)data.Count * (k + 1) / clients);
            return all.AsMemory(start, end - start);
        });
    }

    private int Check(int clientId)
    {
        if ((uint)clientId >= (uint)ClientCount)
            throw new ArgumentOutOfRangeException(nameof(clientId), $"client id {clientId} is outside [0, {ClientCount})");
        return clientId;
    }
}
