using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Cluster;

/// <summary>
/// The binary serializer of the messages that cross the network in a cluster run: job assignments,
/// client updates (whole or, past a frame, in chunks) and failures, model-version chunks, and real clients' registrations. Weights and updates travel as raw little-endian
/// float32, never through JSON.
/// </summary>
/// <remarks>
/// <para>Every message starts with a 4-byte header: type tag (byte), format version (byte) = 3, two zero
/// bytes. Then the fields in declaration order, integers little-endian, doubles as IEEE 754 bits, a float
/// array as its length (int32) and its values, a string as its UTF-8 byte count (int32) and bytes, an update's
/// payload in the one encoding it has everywhere (<see cref="UpdatePayloadCodec"/>).</para>
/// <para>A <see cref="ClientProtocol.ClientUpdate"/> takes exactly <see cref="WireSize.OfUpdate"/> bytes:
/// header 4, job 8, client 4, base version 8, samples 8, steps 4, loss, norm and compute seconds 3 × 8
/// — 60 bytes — then its payload (a dense one: kind 1, length 4, 4 per parameter). So the run's <c>bytes_up</c>
/// is the serialized size of the updates, not an estimate.</para>
/// </remarks>
public sealed class WireSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id (next to <c>StateSerializer</c>'s 4711001).</summary>
    public const int SerializerId = 4_711_002;

    /// <summary>The name the serializer is registered under.</summary>
    public const string SerializerName = "fedactors-wire";

    /// <summary>The format version this build writes and reads.</summary>
    public const byte FormatVersion = 3;

    private const int HeaderSize = 4;

    private enum Tag : byte
    {
        TrainAssignment = 1,
        ClientUpdate = 2,
        JobFailed = 3,
        JobReleased = 4,
        FetchModelChunk = 5,
        ModelChunk = 6,
        ModelVersionUnavailable = 7,
        RegisterClients = 8,
        ClientsRegistered = 9,
        RegistrationRefused = 10,
        UpdateChunk = 11,
        UpdateChunksEnd = 12,
        BroadcastChunk = 13,
    }

    private static readonly (Type Type, Tag Tag, string Manifest)[] Kinds =
    [
        (typeof(ClusterProtocol.TrainAssignment), Tag.TrainAssignment, "TA"),
        (typeof(ClientProtocol.ClientUpdate), Tag.ClientUpdate, "CU"),
        (typeof(ClientProtocol.JobFailed), Tag.JobFailed, "JF"),
        (typeof(ClusterProtocol.JobReleased), Tag.JobReleased, "JR"),
        (typeof(ClusterProtocol.FetchModelChunk), Tag.FetchModelChunk, "FC"),
        (typeof(ClusterProtocol.ModelChunk), Tag.ModelChunk, "MC"),
        (typeof(ClusterProtocol.ModelVersionUnavailable), Tag.ModelVersionUnavailable, "MU"),
        (typeof(ClusterProtocol.RegisterClients), Tag.RegisterClients, "RC"),
        (typeof(ClusterProtocol.ClientsRegistered), Tag.ClientsRegistered, "CR"),
        (typeof(ClusterProtocol.RegistrationRefused), Tag.RegistrationRefused, "RR"),
        (typeof(ClusterProtocol.UpdateChunk), Tag.UpdateChunk, "UK"),
        (typeof(ClusterProtocol.UpdateChunksEnd), Tag.UpdateChunksEnd, "UE"),
        (typeof(ClusterProtocol.BroadcastChunk), Tag.BroadcastChunk, "BC"),
    ];

    /// <summary>Created by Akka from <c>akka.actor.serializers</c>.</summary>
    public WireSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>Registers the serializer and binds every wire message type to it.</summary>
    public static Config Configuration { get; } = ConfigurationFactory.ParseString(
        "akka.actor {\n  serializers { " + SerializerName + " = \"" + TypeName(typeof(WireSerializer)) + "\" }\n  serialization-bindings {\n" +
        string.Concat(Kinds.Select(k => $"    \"{TypeName(k.Type)}\" = {SerializerName}\n")) + "  }\n}\n");

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <inheritdoc />
    public override string Manifest(object o) => KindOf(o).Manifest;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => Serialize(obj);

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        var kind = Array.Find(Kinds, k => k.Manifest == manifest);
        if (kind.Type is null) throw new System.Runtime.Serialization.SerializationException($"unknown wire manifest '{manifest}'");
        var message = Deserialize(bytes);
        if (message.GetType() != kind.Type)
            throw new System.Runtime.Serialization.SerializationException($"the manifest '{manifest}' names {kind.Type.Name}, but the bytes hold {message.GetType().Name}");
        return message;
    }

    /// <summary>Bytes <paramref name="message"/> takes on the wire (what <see cref="Serialize"/> returns), without serializing it.</summary>
    public static long SizeOf(object message) => message switch
    {
        ClusterProtocol.TrainAssignment => HeaderSize + 8 + 4 + 8 + 8 + 4 + 4 + 4 * 8 + 4 + 8,
        ClientProtocol.ClientUpdate u => WireSize.OfUpdate(u.Payload),
        ClientProtocol.JobFailed f => HeaderSize + 8 + 4 + 4 + Encoding.UTF8.GetByteCount(f.Reason),
        ClusterProtocol.JobReleased => HeaderSize + 8 + 4,
        ClusterProtocol.FetchModelChunk => HeaderSize + 8 + 4 + 4,
        ClusterProtocol.ModelChunk c => HeaderSize + 8 + 4 + 4 + 4 + 4L * c.Values.Length,
        ClusterProtocol.BroadcastChunk b => HeaderSize + 8 + 4 + 4 + 4 + b.Bytes.Length,
        ClusterProtocol.ModelVersionUnavailable => HeaderSize + 8,
        ClusterProtocol.RegisterClients r => HeaderSize + 4 + 8L * r.ClientIds.Length,
        ClusterProtocol.ClientsRegistered => HeaderSize + 4,
        ClusterProtocol.RegistrationRefused r => HeaderSize + 4 + Encoding.UTF8.GetByteCount(r.Reason),
        ClusterProtocol.UpdateChunk c => HeaderSize + 8 + 4 + 4 + 4 + 4 + 4 + c.Bytes.Length,
        ClusterProtocol.UpdateChunksEnd => HeaderSize + 8 + 4 + 8 + 8 + 4 + 3 * 8 + 4 + 4 + ClusterProtocol.UpdateChunksEnd.HashBytes,
        _ => throw new ArgumentException($"{message?.GetType().FullName ?? "null"} is not a wire message", nameof(message)),
    };

    /// <summary>The bytes of <paramref name="message"/>.</summary>
    /// <exception cref="ArgumentException">Not a wire message.</exception>
    public static byte[] Serialize(object message)
    {
        var kind = KindOf(message);
        var bytes = new byte[SizeOf(message)];
        var w = new Writer(bytes);
        w.Byte((byte)kind.Tag);
        w.Byte(FormatVersion);
        w.Byte(0);
        w.Byte(0);
        switch (message)
        {
            case ClusterProtocol.TrainAssignment a:
                w.Long(a.Job.Value); w.Int(a.ClientId); w.Long(a.BaseVersion); w.Long((long)a.Seed);
                w.Int(a.Options.Epochs); w.Int(a.Options.BatchSize);
                w.Double(a.Options.LearningRate); w.Double(a.Options.Momentum); w.Double(a.Options.WeightDecay); w.Double(a.Options.ProximalMu);
                w.Int(a.Options.MaxSteps ?? 0); // 0: no cap (a cap is ≥ 1)
                w.Long(a.PreviousJob);
                break;
            case ClientProtocol.ClientUpdate u:
                w.Long(u.Job.Value); w.Int(u.ClientId); w.Long(u.BaseVersion);
                w.Long(u.Stats.Samples); w.Int(u.Stats.Steps); w.Double(u.Stats.MeanLoss); w.Double(u.Stats.UpdateNorm); w.Double(u.Stats.ComputeSeconds);
                w.Payload(u.Payload);
                break;
            case ClientProtocol.JobFailed f:
                w.Long(f.Job.Value); w.Int(f.ClientId); w.String(f.Reason);
                break;
            case ClusterProtocol.JobReleased r:
                w.Long(r.Job.Value); w.Int(r.ClientId);
                break;
            case ClusterProtocol.FetchModelChunk f:
                w.Long(f.Version); w.Int(f.Offset); w.Int(f.Count);
                break;
            case ClusterProtocol.ModelChunk c:
                w.Long(c.Version); w.Int(c.Offset); w.Int(c.Total); w.Floats(c.Values);
                break;
            case ClusterProtocol.BroadcastChunk b:
                w.Long(b.Version); w.Int(b.Offset); w.Int(b.Total); w.Int(b.Bytes.Length); w.Bytes(b.Bytes.Span);
                break;
            case ClusterProtocol.ModelVersionUnavailable m:
                w.Long(m.Version);
                break;
            case ClusterProtocol.RegisterClients rc:
                w.Int(rc.ClientIds.Length);
                for (int i = 0; i < rc.ClientIds.Length; i++) { w.Int(rc.ClientIds[i]); w.Int(rc.SampleCounts[i]); }
                break;
            case ClusterProtocol.ClientsRegistered cr:
                w.Int(cr.Clients);
                break;
            case ClusterProtocol.RegistrationRefused rr:
                w.String(rr.Reason);
                break;
            case ClusterProtocol.UpdateChunk uc:
                w.Long(uc.Job.Value); w.Int(uc.ClientId); w.Int(uc.Index); w.Int(uc.Offset); w.Int(uc.Total); w.Int(uc.Bytes.Length); w.Bytes(uc.Bytes.Span);
                break;
            case ClusterProtocol.UpdateChunksEnd ue:
                w.Long(ue.Job.Value); w.Int(ue.ClientId); w.Long(ue.BaseVersion);
                w.Long(ue.Stats.Samples); w.Int(ue.Stats.Steps); w.Double(ue.Stats.MeanLoss); w.Double(ue.Stats.UpdateNorm); w.Double(ue.Stats.ComputeSeconds);
                w.Int(ue.Length); w.Int(ue.Chunks); w.Bytes(ue.Sha256);
                break;
        }
        if (w.Position != bytes.Length) throw new InvalidOperationException($"{kind.Type.Name}: wrote {w.Position} bytes, sized {bytes.Length}");
        return bytes;
    }

    /// <summary>Reads a message written by <see cref="Serialize"/>.</summary>
    /// <exception cref="System.Runtime.Serialization.SerializationException">The bytes are truncated, of another version, or not a wire message.</exception>
    public static object Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderSize) throw new System.Runtime.Serialization.SerializationException($"a wire message has at least {HeaderSize} bytes, got {bytes.Length}");
        if (bytes[1] != FormatVersion) throw new System.Runtime.Serialization.SerializationException($"wire format version {bytes[1]} is not supported (this build reads {FormatVersion})");
        var r = new Reader(bytes[HeaderSize..]);
        object message = (Tag)bytes[0] switch
        {
            Tag.TrainAssignment => ReadAssignment(ref r),
            Tag.ClientUpdate => ReadUpdate(ref r),
            Tag.JobFailed => new ClientProtocol.JobFailed(new JobId(r.Long()), r.Int(), r.String()),
            Tag.JobReleased => new ClusterProtocol.JobReleased(new JobId(r.Long()), r.Int()),
            Tag.FetchModelChunk => new ClusterProtocol.FetchModelChunk(r.Long(), r.Int(), r.Int()),
            Tag.ModelChunk => ReadChunk(ref r),
            Tag.BroadcastChunk => ReadBroadcastChunk(ref r),
            Tag.ModelVersionUnavailable => new ClusterProtocol.ModelVersionUnavailable(r.Long()),
            Tag.RegisterClients => ReadRegistration(ref r),
            Tag.ClientsRegistered => new ClusterProtocol.ClientsRegistered(r.Int()),
            Tag.RegistrationRefused => new ClusterProtocol.RegistrationRefused(r.String()),
            Tag.UpdateChunk => ReadUpdateChunk(ref r),
            Tag.UpdateChunksEnd => ReadUpdateEnd(ref r),
            var t => throw new System.Runtime.Serialization.SerializationException($"unknown wire type tag {(byte)t}"),
        };
        if (r.Remaining != 0) throw new System.Runtime.Serialization.SerializationException($"{message.GetType().Name}: {r.Remaining} bytes left over");
        return message;
    }

    private static ClusterProtocol.TrainAssignment ReadAssignment(ref Reader r)
    {
        var job = new JobId(r.Long());
        int client = r.Int();
        long baseVersion = r.Long();
        ulong seed = (ulong)r.Long();
        var options = new LocalTrainingOptions
        {
            Epochs = r.Int(), BatchSize = r.Int(), LearningRate = r.Double(), Momentum = r.Double(), WeightDecay = r.Double(), ProximalMu = r.Double(),
        };
        int maxSteps = r.Int();
        options = options with { MaxSteps = maxSteps == 0 ? null : maxSteps };
        long previous = r.Long();
        if (previous < -1) throw new System.Runtime.Serialization.SerializationException($"TrainAssignment of job {job}: previous job {previous} is neither a job id nor -1");
        return new ClusterProtocol.TrainAssignment(job, client, baseVersion, options, seed) { PreviousJob = previous };
    }

    private static ClientProtocol.ClientUpdate ReadUpdate(ref Reader r)
    {
        var job = new JobId(r.Long());
        int client = r.Int();
        long baseVersion = r.Long();
        var stats = new LocalTrainingStats(r.Long(), r.Int(), r.Double(), r.Double(), r.Double());
        return new ClientProtocol.ClientUpdate(job, client, baseVersion, r.Payload(), stats);
    }

    private static ClusterProtocol.RegisterClients ReadRegistration(ref Reader r)
    {
        int n = r.Int();
        // Each client takes 8 bytes: a count larger than what is left is a corrupt message, not an allocation to attempt.
        if (n < 0 || 8L * n > r.Remaining) throw new System.Runtime.Serialization.SerializationException($"a registration of {n} clients does not fit {r.Remaining} bytes");
        var ids = new int[n];
        var samples = new int[n];
        for (int i = 0; i < n; i++)
        {
            ids[i] = r.Int();
            samples[i] = r.Int();
        }
        return new ClusterProtocol.RegisterClients(ids, samples);
    }

    private static ClusterProtocol.UpdateChunk ReadUpdateChunk(ref Reader r)
    {
        var job = new JobId(r.Long());
        int client = r.Int();
        int index = r.Int();
        int offset = r.Int();
        int total = r.Int();
        int length = r.Int();
        if (length < 0 || length > r.Remaining) throw new System.Runtime.Serialization.SerializationException($"an update chunk of {length} bytes does not fit the {r.Remaining} bytes left");
        return new ClusterProtocol.UpdateChunk(job, client, index, offset, total, r.Bytes(length));
    }

    private static ClusterProtocol.UpdateChunksEnd ReadUpdateEnd(ref Reader r)
    {
        var job = new JobId(r.Long());
        int client = r.Int();
        long baseVersion = r.Long();
        var stats = new LocalTrainingStats(r.Long(), r.Int(), r.Double(), r.Double(), r.Double());
        return new ClusterProtocol.UpdateChunksEnd(job, client, baseVersion, stats, r.Int(), r.Int(), r.Bytes(ClusterProtocol.UpdateChunksEnd.HashBytes));
    }

    private static ClusterProtocol.ModelChunk ReadChunk(ref Reader r)
    {
        long version = r.Long();
        int offset = r.Int();
        int total = r.Int();
        return new ClusterProtocol.ModelChunk(version, offset, total, r.Floats());
    }

    private static ClusterProtocol.BroadcastChunk ReadBroadcastChunk(ref Reader r)
    {
        long version = r.Long();
        int offset = r.Int();
        int total = r.Int();
        int length = r.Int();
        if (length < 0 || length > r.Remaining) throw new System.Runtime.Serialization.SerializationException($"a broadcast chunk of {length} bytes does not fit the {r.Remaining} bytes left");
        try
        {
            return new ClusterProtocol.BroadcastChunk(version, offset, total, r.Bytes(length));
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new System.Runtime.Serialization.SerializationException(e.Message, e);
        }
    }

    private static (Type Type, Tag Tag, string Manifest) KindOf(object? message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var kind = Array.Find(Kinds, k => k.Type == message.GetType());
        return kind.Type is null ? throw new ArgumentException($"{message.GetType().FullName} is not a wire message", nameof(message)) : kind;
    }

    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; }

        public void Byte(byte v) => _buffer[Position++] = v;

        public void Int(int v) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), v);

        public void Long(long v) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), v);

        public void Double(double v) => Long(BitConverter.DoubleToInt64Bits(v));

        public void String(string v)
        {
            int n = Encoding.UTF8.GetByteCount(v);
            Int(n);
            Encoding.UTF8.GetBytes(v, Take(n));
        }

        public void Bytes(ReadOnlySpan<byte> v) => v.CopyTo(Take(v.Length));

        public void Payload(UpdatePayload payload) => Position += UpdatePayloadCodec.Write(payload, _buffer[Position..]);

        public void Floats(ReadOnlySpan<float> v)
        {
            Int(v.Length);
            var target = Take(4 * v.Length);
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(v).CopyTo(target);
            else for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(target[(4 * i)..], v[i]);
        }

        private Span<byte> Take(int n)
        {
            var s = _buffer.Slice(Position, n);
            Position += n;
            return s;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> payload)
    {
        private readonly ReadOnlySpan<byte> _payload = payload;
        private int _position;

        public readonly int Remaining => _payload.Length - _position;

        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public double Double() => BitConverter.Int64BitsToDouble(Long());

        public string String()
        {
            int n = Int();
            if (n < 0) throw new System.Runtime.Serialization.SerializationException($"negative string length {n}");
            return Encoding.UTF8.GetString(Take(n));
        }

        public byte[] Bytes(int n) => Take(n).ToArray();

        public UpdatePayload Payload()
        {
            try
            {
                var payload = UpdatePayloadCodec.Read(_payload[_position..], out int consumed);
                _position += consumed;
                return payload;
            }
            catch (InvalidDataException e)
            {
                throw new System.Runtime.Serialization.SerializationException(e.Message, e);
            }
        }

        public float[] Floats()
        {
            int n = Int();
            if (n < 0 || 4L * n > Remaining) throw new System.Runtime.Serialization.SerializationException($"a float array of {n} values does not fit the {Remaining} bytes left");
            var values = new float[n];
            var source = Take(4 * n);
            if (BitConverter.IsLittleEndian) source.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            else for (int i = 0; i < n; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
            return values;
        }

        private ReadOnlySpan<byte> Take(int n)
        {
            if (n > Remaining) throw new System.Runtime.Serialization.SerializationException($"truncated: {n} bytes wanted, {Remaining} left");
            var s = _payload.Slice(_position, n);
            _position += n;
            return s;
        }
    }
}
