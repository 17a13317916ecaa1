using System.Security.Cryptography;
using Akka.Actor;
using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Cluster;

/// <summary>
/// How a client's update crosses the network: whole when it fits one Akka.Remote frame, otherwise its payload's
/// encoding (<see cref="UpdatePayloadCodec"/>) goes as <see cref="ClusterProtocol.UpdateChunk"/>s of at most
/// <see cref="ChunkBytes"/> bytes followed by an <see cref="ClusterProtocol.UpdateChunksEnd"/> that carries the rest of
/// the update, the encoding's length, the chunk count and its SHA-256. A frame-sized update sent whole would be dropped
/// by the transport (Akka.Remote refuses oversized payloads).
/// </summary>
/// <param name="MaxWholeBytes">The largest encoded payload sent as one message.</param>
/// <param name="ChunkBytes">Bytes per chunk of a larger one.</param>
public sealed record UpdateChunking(int MaxWholeBytes, int ChunkBytes)
{
    /// <summary>Frame bytes left for Akka.Remote's envelope (recipient and sender paths, manifest) around a message.</summary>
    public const int EnvelopeReserve = 1024;

    /// <summary>Checks the sizes.</summary>
    public int ChunkBytes { get; } = MaxWholeBytes >= 0 && ChunkBytes > 0 ? ChunkBytes
        : throw new ArgumentOutOfRangeException(nameof(ChunkBytes), $"update chunking needs max-whole ≥ 0 and chunk bytes > 0, got {MaxWholeBytes} and {ChunkBytes}");

    /// <summary>Chunking for a transport whose frames hold <paramref name="maximumFrameSize"/> bytes, in chunks of <paramref name="chunkBytes"/> bytes.</summary>
    public static UpdateChunking ForFrame(int maximumFrameSize, int chunkBytes) =>
        new((int)Math.Max(0, maximumFrameSize - EnvelopeReserve - WireSize.UpdateHeaderBytes), chunkBytes);

    /// <summary>Sends <paramref name="result"/> to <paramref name="to"/>: as it is when it fits a frame, in chunks when it is an update that does not.</summary>
    /// <param name="to">The receiver (the coordinator's gateway).</param>
    /// <param name="result">An update or a failure.</param>
    /// <param name="sender">The sending actor; the receiver reassembles per job and sender.</param>
    public void Send(IActorRef to, ClientProtocol.IClientResult result, IActorRef sender)
    {
        if (result is not ClientProtocol.ClientUpdate u || UpdatePayloadCodec.SizeOf(u.Payload) <= MaxWholeBytes)
        {
            to.Tell(result, sender);
            return;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int chunks = 0, offset = 0, total = checked((int)UpdatePayloadCodec.SizeOf(u.Payload));
        // Slices of the encoding's pieces (a dense payload's prefix, then its float array itself): the serializer reads them straight into the frame.
        foreach (var segment in UpdatePayloadCodec.Segments(u.Payload))
        {
            hash.AppendData(segment.Span);
            for (int start = 0; start < segment.Length; start += ChunkBytes)
            {
                var slice = segment.Slice(start, Math.Min(ChunkBytes, segment.Length - start));
                to.Tell(new ClusterProtocol.UpdateChunk(u.Job, u.ClientId, chunks++, offset, total, slice), sender);
                offset += slice.Length;
            }
        }
        to.Tell(new ClusterProtocol.UpdateChunksEnd(u.Job, u.ClientId, u.BaseVersion, u.Stats, total, chunks, hash.GetHashAndReset()), sender);
    }
}

/// <summary>
/// One chunked update being put back together on the coordinator's node: chunks must come in order, each
/// where the previous ended, inside the announced length; the end must name as many chunks and bytes as
/// arrived and the SHA-256 of what arrived, and the bytes must decode to a payload. The first failed check is kept as
/// <see cref="Error"/>, and the bytes are dropped: a broken update is never applied.
/// </summary>
public sealed class UpdateAssembly : IDisposable
{
    private byte[]? _bytes;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _chunks;
    private int _received;

    /// <summary>Starts an assembly with its first chunk, which must be chunk 0.</summary>
    public UpdateAssembly(ClusterProtocol.UpdateChunk first)
    {
        ArgumentNullException.ThrowIfNull(first);
        Job = first.Job;
        ClientId = first.ClientId;
        if (first.Index != 0)
        {
            Error = $"chunk {first.Index} of job {first.Job}'s update arrived without the chunks before it";
            return;
        }
        _bytes = new byte[first.Total];
        Add(first);
    }

    /// <summary>The job.</summary>
    public JobId Job { get; }

    /// <summary>Its client.</summary>
    public int ClientId { get; }

    /// <summary>Why the update cannot be used, or null while it is sound.</summary>
    public string? Error { get; private set; }

    /// <summary>Takes the next chunk.</summary>
    public void Add(ClusterProtocol.UpdateChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (Error is not null) return;
        if (chunk.ClientId != ClientId) Fail($"chunk {chunk.Index} of job {Job}'s update names client {chunk.ClientId}, its first chunk client {ClientId}");
        else if (chunk.Index != _chunks) Fail(chunk.Index < _chunks
            ? $"chunk {chunk.Index} of job {Job}'s update arrived twice"
            : $"chunks {_chunks}..{chunk.Index - 1} of job {Job}'s update are missing (chunk {chunk.Index} arrived)");
        else if (chunk.Total != _bytes!.Length) Fail($"chunk {chunk.Index} of job {Job}'s update announces {chunk.Total} bytes, its first chunk {_bytes.Length}");
        else if (chunk.Offset != _received) Fail($"chunk {chunk.Index} of job {Job}'s update starts at byte {chunk.Offset}, expected {_received}");
        else
        {
            chunk.Bytes.Span.CopyTo(_bytes.AsSpan(_received));
            _hash.AppendData(chunk.Bytes.Span);
            _received += chunk.Bytes.Length;
            _chunks++;
        }
    }

    /// <summary>Checks the end against what arrived; returns the whole update, or null with <see cref="Error"/> set.</summary>
    public ClientProtocol.ClientUpdate? Finish(ClusterProtocol.UpdateChunksEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        if (Error is not null) return null;
        if (end.ClientId != ClientId) Fail($"the end of job {Job}'s update names client {end.ClientId}, its chunks client {ClientId}");
        else if (end.Length != _bytes!.Length || end.Length != _received || end.Chunks != _chunks)
            Fail($"job {Job}'s update ended after {_chunks} chunks and {_received} of {_bytes.Length} bytes, but its end announces {end.Chunks} chunks and {end.Length} bytes");
        else if (!_hash.GetHashAndReset().AsSpan().SequenceEqual(end.Sha256)) Fail($"job {Job}'s update is corrupt: the SHA-256 of its {_received} bytes differs from the one sent");
        else
        {
            UpdatePayload payload;
            try
            {
                payload = UpdatePayloadCodec.Read(_bytes);
            }
            catch (InvalidDataException e)
            {
                Fail($"job {Job}'s update arrived whole but does not decode: {e.Message}");
                return null;
            }
            _bytes = null;
            return new ClientProtocol.ClientUpdate(Job, ClientId, end.BaseVersion, payload, end.Stats);
        }
        return null;
    }

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();

    private void Fail(string reason)
    {
        Error = reason;
        _bytes = null;
    }
}
