using FedActors.Training.Data;

namespace FedActors.Actors.Clients;

/// <summary>What one client trains on: a dataset and the indices of its samples in it.</summary>
/// <param name="Data">The dataset (pooled, or the client's own).</param>
/// <param name="Indices">The client's samples in <paramref name="Data"/>.</param>
public sealed record ClientData(LabeledDataset Data, ReadOnlyMemory<int> Indices)
{
    /// <summary>Samples the client holds.</summary>
    public int SampleCount => Indices.Length;
}

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

/// <summary>
/// FedProx Synthetic(α, β) clients, each generated on demand from (seed, client id) and kept only in a
/// small LRU cache, so idle clients cost nothing.
/// </summary>
public sealed class SyntheticClientDataSource : IClientDataSource
{
    private readonly SyntheticSettings _settings;
    private readonly ulong _seed;
    private readonly int _cacheSize;
    private readonly LinkedList<(int Client, ClientData Data)> _lru = new();
    private readonly Dictionary<int, LinkedListNode<(int Client, ClientData Data)>> _index = new();
    private readonly Lock _gate = new();

    /// <summary>Creates the population.</summary>
    /// <param name="settings">α, β, IID.</param>
    /// <param name="seed">Master seed.</param>
    /// <param name="clientCount">Number of devices.</param>
    /// <param name="cacheSize">Generated clients kept; at least the number of trainer slots is sensible.</param>
    public SyntheticClientDataSource(SyntheticSettings settings, ulong seed, int clientCount, int cacheSize = 64)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clientCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cacheSize);
        _settings = settings;
        _seed = seed;
        _cacheSize = cacheSize;
        ClientCount = clientCount;
    }

    /// <inheritdoc />
    public int ClientCount { get; }

    /// <summary>Clients currently cached.</summary>
    public int CachedClients
    {
        get { lock (_gate) return _index.Count; }
    }

    /// <inheritdoc />
    public ClientData Get(int clientId)
    {
        if ((uint)clientId >= (uint)ClientCount)
            throw new ArgumentOutOfRangeException(nameof(clientId), $"client id {clientId} is outside [0, {ClientCount})");
        lock (_gate)
        {
            if (_index.TryGetValue(clientId, out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                return node.Value.Data;
            }
        }
        // Generated outside the lock: two threads may both generate a client; the results are identical.
        var train = SyntheticFedProx.GenerateTrain(_settings, _seed, clientId);
        var data = new ClientData(train, Enumerable.Range(0, train.Count).ToArray());
        lock (_gate)
        {
            if (_index.TryGetValue(clientId, out var existing)) return existing.Value.Data;
            _index[clientId] = _lru.AddFirst((clientId, data));
            while (_index.Count > _cacheSize)
            {
                var last = _lru.Last!;
                _lru.RemoveLast();
                _index.Remove(last.Value.Client);
            }
        }
        return data;
    }

    /// <inheritdoc />
    /// <remarks>Derived from (seed, client id) alone: the coordinator asks for it at every dispatch, and generating
    /// the client's data there would cost far more than the rest of a dispatch.</remarks>
    public int SampleCount(int clientId)
    {
        if ((uint)clientId >= (uint)ClientCount)
            throw new ArgumentOutOfRangeException(nameof(clientId), $"client id {clientId} is outside [0, {ClientCount})");
        return SyntheticFedProx.TrainCount(SyntheticFedProx.SampleCount(_seed, clientId));
    }
}
