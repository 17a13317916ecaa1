using Akka.Actor;
using FedActors.Actors.Compression;
using FedActors.Actors.Jobs;
using FedActors.Actors.Simulation;

namespace FedActors.Actors.Cluster;

/// <summary>
/// A worker node's copies of the global model's versions. Each version is fetched once, by number and in
/// chunks that fit a frame, from the coordinator's <see cref="JobGateway"/>, then shared (read-only) by every
/// job on the node that trains from it. The newest <c>capacity</c> versions are kept. With a compressed downlink a
/// version arrives as its encoded broadcast, which the cache decodes once (<see cref="ModelBroadcasts"/>).
/// </summary>
public sealed class ModelVersionCache : ReceiveActor, IWithTimers
{
    private const double StallSeconds = 10;

    private readonly int _capacity;
    private readonly int _chunkFloats;
    private readonly SortedDictionary<long, ModelVersion> _versions = new();
    private readonly Dictionary<long, Fetch> _fetches = new();
    private readonly IClock _clock;
    private readonly ModelBroadcasts? _broadcasts;

    /// <summary>Creates the cache.</summary>
    /// <param name="capacity">Versions kept; older ones are dropped first.</param>
    /// <param name="chunkFloats">Values asked for per chunk.</param>
    /// <param name="clock">Wall time, only to notice a fetch whose source stopped answering.</param>
    /// <param name="broadcasts">Decodes compressed broadcasts; null when the run's downlink is float32.</param>
    public ModelVersionCache(int capacity, int chunkFloats, IClock clock, ModelBroadcasts? broadcasts = null)
    {
        _broadcasts = broadcasts;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkFloats);
        _capacity = capacity;
        _chunkFloats = chunkFloats;
        _clock = clock;

        Receive<GetVersion>(get =>
        {
            if (_versions.TryGetValue(get.Version, out var cached))
            {
                Sender.Tell(new VersionReady(cached));
                return;
            }
            if (_fetches.TryGetValue(get.Version, out var fetch))
            {
                fetch.Waiters.Add(Sender);
                // A newer source (a coordinator that took over) replaces one that may be gone.
                if (!fetch.Source.Equals(get.Source)) Restart(fetch, get.Source);
                return;
            }
            fetch = new Fetch(get.Version, get.Source) { Waiters = { Sender } };
            _fetches[get.Version] = fetch;
            Request(fetch);
        });
        Receive<ClusterProtocol.ModelChunk>(chunk =>
        {
            if (Expected(chunk.Version, chunk.Offset) is not { } fetch) return;
            fetch.Weights ??= new float[chunk.Total];
            if (fetch.Weights.Length != chunk.Total) return;
            chunk.Values.CopyTo(fetch.Weights, chunk.Offset);
            if (Advanced(fetch, chunk.Values.Length, chunk.Total)) Ready(fetch, new ModelVersion(chunk.Version, fetch.Weights));
        });
        Receive<ClusterProtocol.BroadcastChunk>(chunk =>
        {
            if (Expected(chunk.Version, chunk.Offset) is not { } fetch) return;
            fetch.Bytes ??= new byte[chunk.Total];
            if (fetch.Bytes.Length != chunk.Total) return;
            chunk.Bytes.Span.CopyTo(fetch.Bytes.AsSpan(chunk.Offset));
            if (!Advanced(fetch, chunk.Bytes.Length, chunk.Total)) return;
            try
            {
                var broadcasts = _broadcasts ?? throw new InvalidDataException(
                    "the coordinator broadcasts compressed versions and this node has no downlink codec: every node must read the same fedactors.compression.downlink");
                var payload = Updates.UpdatePayloadCodec.Read(fetch.Bytes);
                Ready(fetch, new ModelVersion(chunk.Version, broadcasts.Decode(chunk.Version, payload)) { Broadcast = payload });
            }
            catch (InvalidDataException e)
            {
                foreach (var w in fetch.Waiters) w.Tell(new VersionUnavailable(chunk.Version) { Reason = $"model version {chunk.Version} arrived undecodable: {e.Message}" });
            }
        });
        Receive<ClusterProtocol.ModelVersionUnavailable>(missing =>
        {
            if (!_fetches.TryGetValue(missing.Version, out var fetch) || !Sender.Equals(fetch.Source)) return;
            _fetches.Remove(missing.Version);
            foreach (var w in fetch.Waiters) w.Tell(new VersionUnavailable(missing.Version));
        });
        Receive<CheckStalled>(_ =>
        {
            double now = _clock.Seconds;
            foreach (var fetch in _fetches.Values.Where(f => now - f.LastProgress > StallSeconds).ToArray()) Request(fetch);
        });
    }

    // The fetch a chunk continues, if it comes from the fetch's source at the offset reached so far.
    private Fetch? Expected(long version, int offset) =>
        _fetches.TryGetValue(version, out var fetch) && offset == fetch.Received && Sender.Equals(fetch.Source) ? fetch : null;

    // Counts a chunk of `length` (values or bytes) in; true when the fetch is complete (and no longer pending), otherwise
    // asks for the next chunk.
    private bool Advanced(Fetch fetch, int length, int total)
    {
        fetch.Received += length;
        fetch.Chunks++;
        fetch.LastProgress = _clock.Seconds;
        if (fetch.Received < total && length > 0)
        {
            Request(fetch);
            return false;
        }
        _fetches.Remove(fetch.Version);
        return true;
    }

    private void Ready(Fetch fetch, ModelVersion version)
    {
        _versions[version.Number] = version;
        while (_versions.Count > _capacity) _versions.Remove(_versions.Keys.First());
        Fetched++;
        foreach (var w in fetch.Waiters) w.Tell(new VersionReady(version));
    }

    /// <summary>Versions fetched so far (for tests and status).</summary>
    public long Fetched { get; private set; }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the cache.</summary>
    public static Props Props(int capacity, int chunkFloats, ModelBroadcasts? broadcasts = null) =>
        Akka.Actor.Props.Create(() => new ModelVersionCache(capacity, chunkFloats, new WallClock(), broadcasts));

    /// <inheritdoc />
    protected override void PreStart() => Timers.StartPeriodicTimer("stalled", CheckStalled.Instance, TimeSpan.FromSeconds(StallSeconds));

    private void Restart(Fetch fetch, IActorRef source)
    {
        fetch.Source = source;
        fetch.Weights = null;
        fetch.Bytes = null;
        fetch.Received = 0;
        Request(fetch);
    }

    private void Request(Fetch fetch)
    {
        fetch.LastProgress = _clock.Seconds;
        fetch.Source.Tell(new ClusterProtocol.FetchModelChunk(fetch.Version, fetch.Received, _chunkFloats));
    }

    /// <summary>Asks for version <paramref name="Version"/>; the sender gets <see cref="VersionReady"/> or <see cref="VersionUnavailable"/>.</summary>
    /// <param name="Version">The version number.</param>
    /// <param name="Source">Where to fetch it from if it is not here: the coordinator's gateway that sent the job.</param>
    public sealed record GetVersion(long Version, IActorRef Source);

    /// <summary>The version, shared and read-only.</summary>
    public sealed record VersionReady(ModelVersion Version);

    /// <summary>The coordinator no longer holds <paramref name="Version"/>.</summary>
    public sealed record VersionUnavailable(long Version)
    {
        /// <summary>Why, when it is not that the coordinator no longer holds the version.</summary>
        public string? Reason { get; init; }
    }

    private sealed record CheckStalled
    {
        public static CheckStalled Instance { get; } = new();
    }

    private sealed class Fetch(long version, IActorRef source)
    {
        public long Version { get; } = version;
        public IActorRef Source { get; set; } = source;
        public List<IActorRef> Waiters { get; } = [];
        public float[]? Weights { get; set; }
        public byte[]? Bytes { get; set; }
        public int Received { get; set; }
        public int Chunks { get; set; }
        public double LastProgress { get; set; }
    }
}
