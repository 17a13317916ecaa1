using FedActors.Training.Data;

namespace FedActors.Actors.Population;

/// <summary>
/// FedProx Synthetic(α, β) clients, each generated on demand from (seed, client id) and kept in an LRU cache
/// bounded in bytes, so idle clients cost nothing and a run's memory does not grow with its population.
/// </summary>
/// <remarks>
/// Generating a device draws 60 normals and a 600-term dot product per sample (about a microsecond each), more
/// than a logreg training on it costs; a population whose devices fit in the cache pays that once per device.
/// A device larger than the whole cache is generated every time it trains.
/// </remarks>
public sealed class SyntheticClientDataSource : IClientDataSource
{
    /// <summary>The cache bound when none is given: 256 MiB, about 2,500 devices of the mean size.</summary>
    public const long DefaultCacheBytes = 256L << 20;

    // A cached device's arrays' object headers and the cache's own node and index entries.
    private const int EntryOverheadBytes = 200;

    private readonly SyntheticSettings _settings;
    private readonly ulong _seed;
    private readonly long _cacheBytes;
    private readonly LinkedList<(int Client, ClientData Data, long Bytes)> _lru = new();
    private readonly Dictionary<int, LinkedListNode<(int Client, ClientData Data, long Bytes)>> _index = new();
    private readonly Lock _gate = new();
    // 0, 1, 2, …: every cached device trains on all its samples, so they share one identity index array.
    private int[] _identity = [];
    private long _cachedBytes;
    private long _hits;
    private long _misses;

    /// <summary>Creates the population.</summary>
    /// <param name="settings">α, β, IID.</param>
    /// <param name="seed">Master seed.</param>
    /// <param name="clientCount">Number of devices.</param>
    /// <param name="cacheBytes">Bytes of generated devices kept (features, labels and bookkeeping); 0 keeps none.</param>
    public SyntheticClientDataSource(SyntheticSettings settings, ulong seed, int clientCount, long cacheBytes = DefaultCacheBytes)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clientCount);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheBytes);
        _settings = settings;
        _seed = seed;
        _cacheBytes = cacheBytes;
        ClientCount = clientCount;
    }

    /// <inheritdoc />
    public int ClientCount { get; }

    /// <summary>Clients currently cached.</summary>
    public int CachedClients
    {
        get { lock (_gate) return _index.Count; }
    }

    /// <summary>Bytes the cached clients are counted as; at most the cache bound.</summary>
    public long CachedBytes
    {
        get { lock (_gate) return _cachedBytes; }
    }

    /// <summary><see cref="Get"/> calls answered from the cache.</summary>
    public long CacheHits => Interlocked.Read(ref _hits);

    /// <summary><see cref="Get"/> calls that generated the client.</summary>
    public long CacheMisses => Interlocked.Read(ref _misses);

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
                _hits++;
                return node.Value.Data;
            }
            _misses++;
        }
        // Generated outside the lock: two threads may both generate a client; the results are identical.
        var train = SyntheticFedProx.GenerateTrain(_settings, _seed, clientId);
        long bytes = (long)train.Features.Length * sizeof(float) + (long)train.Count * sizeof(int) + EntryOverheadBytes;
        lock (_gate)
        {
            if (_index.TryGetValue(clientId, out var existing)) return existing.Value.Data;
            if (_identity.Length < train.Count)
            {
                // Slices of the previous array stay valid: it is replaced, never written.
                var identity = new int[(int)Math.Min(Math.Max(train.Count, 2L * _identity.Length), Array.MaxLength)];
                for (int i = 0; i < identity.Length; i++) identity[i] = i;
                _identity = identity;
            }
            var data = new ClientData(train, _identity.AsMemory(0, train.Count));
            if (bytes > _cacheBytes) return data;
            _index[clientId] = _lru.AddFirst((clientId, data, bytes));
            _cachedBytes += bytes;
            while (_cachedBytes > _cacheBytes)
            {
                var last = _lru.Last!;
                _lru.RemoveLast();
                _index.Remove(last.Value.Client);
                _cachedBytes -= last.Value.Bytes;
            }
            return data;
        }
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
