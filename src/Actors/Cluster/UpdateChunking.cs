using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Akka.Actor;
using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Cluster;

/// <summary>
/// How a client's update crosses the network: whole when it fits one Akka.Remote frame, otherwise as
/// <see cref="ClusterProtocol.UpdateChunk"/>s of <see cref="ChunkValues"/> values followed by an
/// <see cref="ClusterProtocol.UpdateChunksEnd"/> that carries the update's length, chunk count and SHA-256.
/// A frame-sized update sent whole would be dropped by the transport (Akka.Remote refuses oversized payloads).
/// </summary>
/// <param name="MaxWholeValues">The largest delta, in values, sent as one message.</param>
/// <param name="ChunkValues">Values per chunk of a larger one.</param>
public sealed record UpdateChunking(int MaxWholeValues, int ChunkValues)
{
    /// <summary>Frame bytes left for Akka.Remote's envelope (recipient and sender paths, manifest) around a message.</summary>
    public const int EnvelopeReserve = 1024;

    /// <summary>Checks the sizes.</summary>
    public int ChunkValues { get; } = MaxWholeValues >= 0 && ChunkValues > 0 ? ChunkValues
        : throw new ArgumentOutOfRangeException(nameof(ChunkValues), $"update chunking needs max-whole ≥ 0 and chunk values > 0, got {MaxWholeValues} and {ChunkValues}");

    /// <summary>Chunking for a transport whose frames hold <paramref name="maximumFrameSize"/> bytes, in chunks of <paramref name="chunkValues"/> values.</summary>
    public static UpdateChunking ForFrame(int maximumFrameSize, int chunkValues) =>
        new((int)Math.Max(0, (maximumFrameSize - EnvelopeReserve - WireSize.HeaderBytes) / 4L), chunkValues);

    /// <summary>Sends <paramref name="result"/> to <paramref name="to"/>: as it is when it fits a frame, in chunks when it is an update that does not.</summary>
    /// <param name="to">The receiver (the coordinator's gateway).</param>
    /// <param name="result">An update or a failure.</param>
    /// <param name="sender">The sending actor; the receiver reassembles per job and sender.</param>
    public void Send(IActorRef to, ClientProtocol.IClientResult result, IActorRef sender)
    {
        if (result is not ClientProtocol.ClientUpdate u || u.Delta.Length <= MaxWholeValues)
        {
            to.Tell(result, sender);
            return;
        }
        int chunks = 0;
        for (int offset = 0; offset < u.Delta.Length; offset += ChunkValues)
        {
            int n = Math.Min(ChunkValues, u.Delta.Length - offset);
            // A slice of the delta, not a copy: the serializer reads it straight into the frame.
            to.Tell(new ClusterProtocol.UpdateChunk(u.Job, u.ClientId, chunks++, offset, u.Delta.Length, u.Delta.AsMemory(offset, n)), sender);
        }
        to.Tell(new ClusterProtocol.UpdateChunksEnd(u.Job, u.ClientId, u.BaseVersion, u.Stats, u.Delta.Length, chunks, Hash(u.Delta)), sender);
    }

    /// <summary>SHA-256 of <paramref name="values"/> as float32 little-endian bytes (what the wire carries).</summary>
    public static byte[] Hash(ReadOnlySpan<float> values)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, values);
        return hash.GetHashAndReset();
    }

    internal static void Append(IncrementalHash hash, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            hash.AppendData(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<byte> le = stackalloc byte[4];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(le, v);
            hash.AppendData(le);
        }
    }
}

/// <summary>
/// One chunked update being put back together on the coordinator's node: chunks must come in order, each
/// where the previous ended, inside the announced length; the end must name as many chunks and values as
/// arrived and the SHA-256 of what arrived. The first failed check is kept as <see cref="Error"/>, and the
/// values are dropped: a broken update is never applied.
/// </summary>
public sealed class UpdateAssembly : IDisposable
{
    private float[]? _values;
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
        _values = new float[first.Total];
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
        else if (chunk.Total != _values!.Length) Fail($"chunk {chunk.Index} of job {Job}'s update announces {chunk.Total} values, its first chunk {_values.Length}");
        else if (chunk.Offset != _received) Fail($"chunk {chunk.Index} of job {Job}'s update starts at value {chunk.Offset}, expected {_received}");
        else
        {
            chunk.Values.Span.CopyTo(_values.AsSpan(_received));
            UpdateChunking.Append(_hash, chunk.Values.Span);
            _received += chunk.Values.Length;
            _chunks++;
        }
    }

    /// <summary>Checks the end against what arrived; returns the whole update, or null with <see cref="Error"/> set.</summary>
    public ClientProtocol.ClientUpdate? Finish(ClusterProtocol.UpdateChunksEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        if (Error is not null) return null;
        if (end.ClientId != ClientId) Fail($"the end of job {Job}'s update names client {end.ClientId}, its chunks client {ClientId}");
        else if (end.Length != _values!.Length || end.Length != _received || end.Chunks != _chunks)
            Fail($"job {Job}'s update ended after {_chunks} chunks and {_received} of {_values.Length} values, but its end announces {end.Chunks} chunks and {end.Length} values");
        else if (!_hash.GetHashAndReset().AsSpan().SequenceEqual(end.Sha256)) Fail($"job {Job}'s update is corrupt: the SHA-256 of its {_received} values differs from the one sent");
        else
        {
            var update = new ClientProtocol.ClientUpdate(Job, ClientId, end.BaseVersion, _values, end.Stats);
            _values = null;
            return update;
        }
        return null;
    }

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();

    private void Fail(string reason)
    {
        Error = reason;
        _values = null;
    }
}
