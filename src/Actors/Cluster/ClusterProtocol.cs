using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Cluster;

/// <summary>
/// Messages that cross the network between the coordinator's node and worker nodes. They carry ids and
/// version numbers, never a model's weights per job: a worker fetches each version once, in chunks, into
/// its <see cref="ModelVersionCache"/>; an update too large for a frame goes back in <see cref="UpdateChunk"/>s.
/// Client-role nodes register their real clients with the coordinator here too. Everything here goes
/// through <see cref="WireSerializer"/>.
/// </summary>
public static class ClusterProtocol
{
    /// <summary>Messages to a sharded client entity; the entity id is the client id.</summary>
    public interface IShardedClientCommand
    {
        /// <summary>The client the message is for.</summary>
        int ClientId { get; }
    }

    /// <summary>
    /// Train client <paramref name="ClientId"/> from model version <paramref name="BaseVersion"/> and reply to
    /// the sender with a <see cref="ClientProtocol.ClientUpdate"/> or <see cref="ClientProtocol.JobFailed"/>.
    /// A retried job carries the same id; the sender fetches the version's weights by number.
    /// </summary>
    /// <param name="Job">The job id.</param>
    /// <param name="ClientId">The client that trains.</param>
    /// <param name="BaseVersion">The model version to train from.</param>
    /// <param name="Options">Local training hyper-parameters.</param>
    /// <param name="Seed">Master seed; the sample order derives from (seed, client, job).</param>
    public sealed record TrainAssignment(JobId Job, int ClientId, long BaseVersion, LocalTrainingOptions Options, ulong Seed) : IShardedClientCommand
    {
        /// <summary>Checks the ids.</summary>
        public int ClientId { get; } = ClientId >= 0 ? ClientId : throw new ArgumentOutOfRangeException(nameof(ClientId), $"client id must be ≥ 0, got {ClientId} (job {Job})");

        /// <summary>Checks the version.</summary>
        public long BaseVersion { get; } = BaseVersion >= 0 ? BaseVersion : throw new ArgumentOutOfRangeException(nameof(BaseVersion), $"base version must be ≥ 0, got {BaseVersion} (job {Job})");

        /// <summary>The client's last job whose result the coordinator took, or −1 (see <see cref="ClientProtocol.TrainJob.PreviousJob"/>). <value>Default −1.</value></summary>
        public long PreviousJob { get; init; } = -1;
    }

    /// <summary>
    /// A client entity let go of a job it had not finished (its shard moved to another node): the job is
    /// to be sent again, and sharding delivers it to the client's new home.
    /// </summary>
    /// <param name="Job">The job.</param>
    /// <param name="ClientId">Its client.</param>
    public sealed record JobReleased(JobId Job, int ClientId);

    /// <summary>Asks for <paramref name="Count"/> values of version <paramref name="Version"/> from <paramref name="Offset"/>; answered by <see cref="ModelChunk"/> or <see cref="ModelVersionUnavailable"/>.</summary>
    /// <param name="Version">The model version.</param>
    /// <param name="Offset">Index of the first value.</param>
    /// <param name="Count">Values wanted (the answer may hold fewer at the end of the vector).</param>
    public sealed record FetchModelChunk(long Version, int Offset, int Count)
    {
        /// <summary>Checks the range.</summary>
        public int Count { get; } = Offset >= 0 && Count > 0 ? Count
            : throw new ArgumentOutOfRangeException(nameof(Count), $"a chunk needs offset ≥ 0 and count > 0, got offset {Offset}, count {Count}");
    }

    /// <summary>
    /// With a compressed downlink: bytes [<paramref name="Offset"/>, <paramref name="Offset"/> + Bytes.Length) of version
    /// <paramref name="Version"/>'s encoded broadcast (<see cref="Updates.UpdatePayloadCodec"/>), which is
    /// <paramref name="Total"/> bytes long. The answer to a <see cref="FetchModelChunk"/> whose offset and count are then in
    /// bytes (count × 4, the frame a float chunk would fill).
    /// </summary>
    /// <param name="Version">The model version.</param>
    /// <param name="Offset">Index of the first byte.</param>
    /// <param name="Total">Length of the whole encoding.</param>
    /// <param name="Bytes">The chunk.</param>
    public sealed record BroadcastChunk(long Version, int Offset, int Total, ReadOnlyMemory<byte> Bytes)
    {
        /// <summary>Checks that the chunk lies inside the encoding.</summary>
        public ReadOnlyMemory<byte> Bytes { get; } = Offset >= 0 && (long)Offset + Bytes.Length <= Total ? Bytes
            : throw new ArgumentOutOfRangeException(nameof(Bytes), $"chunk [{Offset}, {Offset + (long)Bytes.Length}) lies outside an encoding of {Total} bytes (version {Version})");
    }

    /// <summary>Values [<paramref name="Offset"/>, <paramref name="Offset"/> + Values.Length) of version <paramref name="Version"/>, whose vector has <paramref name="Total"/> values.</summary>
    /// <param name="Version">The model version.</param>
    /// <param name="Offset">Index of the first value.</param>
    /// <param name="Total">Length of the whole weight vector.</param>
    /// <param name="Values">The chunk.</param>
    public sealed record ModelChunk(long Version, int Offset, int Total, float[] Values)
    {
        /// <summary>Checks that the chunk lies inside the vector.</summary>
        public float[] Values { get; } = Offset >= 0 && (long)Offset + Values.Length <= Total ? Values
            : throw new ArgumentOutOfRangeException(nameof(Values), $"chunk [{Offset}, {Offset + (long)Values.Length}) lies outside a vector of {Total} values (version {Version})");
    }

    /// <summary>
    /// One piece of a client update too large for one frame (<c>fedactors.cluster.maximum-frame-size</c>): bytes
    /// [<paramref name="Offset"/>, <paramref name="Offset"/> + Bytes.Length) of the encoding of job <paramref name="Job"/>'s
    /// payload (<see cref="UpdatePayloadCodec"/>). Chunks go in order, numbered from 0, and end with an
    /// <see cref="UpdateChunksEnd"/>; the receiver checks order, length and hash.
    /// </summary>
    /// <param name="Job">The job.</param>
    /// <param name="ClientId">Its client.</param>
    /// <param name="Index">The chunk's number, from 0.</param>
    /// <param name="Offset">Index of the chunk's first byte in the encoded payload.</param>
    /// <param name="Total">Bytes of the whole encoded payload.</param>
    /// <param name="Bytes">The chunk; on the sending side a slice of the payload's encoding (of a dense payload, of its very array), never copied.</param>
    public sealed record UpdateChunk(JobId Job, int ClientId, int Index, int Offset, int Total, ReadOnlyMemory<byte> Bytes)
    {
        /// <summary>Checks that the chunk lies inside the payload.</summary>
        public ReadOnlyMemory<byte> Bytes { get; } = Index >= 0 && Offset >= 0 && (long)Offset + Bytes.Length <= Total ? Bytes
            : throw new ArgumentOutOfRangeException(nameof(Bytes),
                $"update chunk {Index} [{Offset}, {Offset + (long)Bytes.Length}) lies outside a payload of {Total} bytes (job {Job})");
    }

    /// <summary>
    /// The last message of a chunked client update: everything of the <see cref="ClientProtocol.ClientUpdate"/> but its
    /// payload, which came in <paramref name="Chunks"/> <see cref="UpdateChunk"/>s of <paramref name="Length"/> bytes in all
    /// that hash to <paramref name="Sha256"/>.
    /// </summary>
    /// <param name="Job">The job.</param>
    /// <param name="ClientId">Its client.</param>
    /// <param name="BaseVersion">The version the client trained from.</param>
    /// <param name="Stats">The local training's statistics.</param>
    /// <param name="Length">Bytes of the encoded payload.</param>
    /// <param name="Chunks">Chunks sent.</param>
    /// <param name="Sha256">SHA-256 of the encoded payload (32 bytes).</param>
    public sealed record UpdateChunksEnd(JobId Job, int ClientId, long BaseVersion, LocalTrainingStats Stats, int Length, int Chunks, byte[] Sha256)
    {
        /// <summary>The hash's length in bytes.</summary>
        public const int HashBytes = 32;

        /// <summary>Checks the counts and the hash's length.</summary>
        public byte[] Sha256 { get; } = Length > 0 && Chunks > 0 && Sha256.Length == HashBytes ? Sha256
            : throw new ArgumentException($"a chunked update needs length > 0, chunks > 0 and a {HashBytes}-byte hash, got length {Length}, {Chunks} chunks, {Sha256.Length} hash bytes (job {Job})", nameof(Sha256));
    }

    /// <summary>The coordinator's node no longer holds version <paramref name="Version"/> (no job in flight uses it).</summary>
    public sealed record ModelVersionUnavailable(long Version);

    /// <summary>
    /// A client-role node announces the real clients whose data it holds, to the coordinator singleton. The
    /// sender is the node's client actor: jobs for these clients go to it and to no other node. Sent again
    /// periodically, so a coordinator that took over learns the owners without any state of its own; a
    /// repeat from the same owner changes nothing.
    /// </summary>
    /// <param name="ClientIds">The clients, ascending, each below <c>fedactors.population.clients</c>.</param>
    /// <param name="SampleCounts">Training samples each client holds, in the order of <paramref name="ClientIds"/>.</param>
    public sealed record RegisterClients(int[] ClientIds, int[] SampleCounts)
    {
        /// <summary>Checks that ids and counts pair up.</summary>
        public int[] SampleCounts { get; } = SampleCounts.Length == ClientIds.Length && ClientIds.Length > 0 ? SampleCounts
            : throw new ArgumentException($"a registration needs one sample count per client and at least one client, got {ClientIds.Length} ids and {SampleCounts.Length} counts", nameof(SampleCounts));
    }

    /// <summary>The coordinator took a <see cref="RegisterClients"/>: <paramref name="Clients"/> clients are routed to the sender.</summary>
    /// <param name="Clients">How many clients the registration holds.</param>
    public sealed record ClientsRegistered(int Clients);

    /// <summary>The coordinator refused a <see cref="RegisterClients"/>; the node should stop (its configuration disagrees with the run's).</summary>
    /// <param name="Reason">Why, naming the clients and values concerned.</param>
    public sealed record RegistrationRefused(string Reason);
}
