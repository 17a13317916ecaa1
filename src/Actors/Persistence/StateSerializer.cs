using System.Buffers.Binary;
using System.IO.Hashing;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Persistence;

/// <summary>
/// The binary serializer of everything the coordinator persists (<see cref="IPersistedState"/>): journal
/// events and snapshots. Weights travel as raw float32 bytes, never through JSON, and every blob is
/// framed and checksummed so that a corrupt or foreign blob is refused with a message that says why.
/// </summary>
/// <remarks>
/// <para>A blob is laid out as follows (all integers little-endian):</para>
/// <code>
/// offset   size  field
///  0        4    magic "FAST" (46 41 53 54): FedActors state
///  4        2    format version (uint16) = 3 (versions 1 and 2 are read too)
///  6        2    type tag (uint16): 1 RunStarted, 2 StepPersisted, 3 ResultPersisted, 4 RunResumed, 5 CoordinatorSnapshot,
///                6 EvaluationPersisted, 7 ClockAdvanced
///  8        4    payload length n (int32)
/// 12        n    payload: the record's fields in declaration order
/// 12 + n    4    CRC-32 (IEEE 802.3) of bytes [0, 12 + n)
/// </code>
/// <para>
/// In the payload: int32/int64 as is; double as its IEEE 754 bits (NaN payloads and infinities round-trip);
/// bool and presence bytes as 0 or 1, a nullable value as a presence byte followed by the value; a string
/// as its UTF-8 byte count (int32) and bytes; a float array as its element count (int32) and raw float32
/// bytes; a list as its count and elements; a map as its count and key-value pairs in ascending key order
/// (ordinal for strings), so the same state always gives the same bytes; an enum as int32; a journaled
/// result as a kind byte (1 ClientUpdate, 2 JobFailed) followed by the message, an update's payload in its one
/// encoding (<c>UpdatePayloadCodec</c>, as on the wire).
/// </para>
/// <para>
/// The manifest Akka stores beside each blob is the record's name (<c>RunStarted</c>, …); it must agree
/// with the blob's type tag. Never change a manifest, a tag or a payload layout in place: add a format
/// version and keep reading the old one.
/// </para>
/// </remarks>
public sealed class StateSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id, in Akka's user range (Akka reserves 0–100).</summary>
    public const int SerializerId = 4_711_001;

    /// <summary>
    /// The format version this build writes. Version 2 added to each checkpoint whether it lists only a step's changes,
    /// and what left the state (<see cref="CoordinatorCheckpoint.IsDelta"/>). Version 3 journals a client update's payload
    /// in its own encoding (dense, sparse or quantized) instead of a float array, and drops a round's update count and
    /// weight from checkpoints (always 0 at a step boundary). Version 4 adds the job each job in flight continues from and each
    /// client's last taken result (<see cref="ClientJob"/>). Version 5 adds the backdoor accuracy to evaluations. Version 6
    /// adds the updates a robust aggregator filtered and the malicious ones taken and filtered (<see cref="DefenseCounts"/>)
    /// to checkpoints' counters and to evaluations. Version 7 adds the state a strategy wrapper carries across steps
    /// (<see cref="CoordinatorCheckpoint.Wrapper"/>: adaptive clipping's clip norm). This build reads versions 1 to 6 too.
    /// </summary>
    public const ushort FormatVersion = 7;

    /// <summary>The oldest format version this build reads.</summary>
    public const ushort OldestReadableVersion = 1;

    /// <summary>The name the serializer is registered under in <c>akka.actor.serializers</c>.</summary>
    public const string SerializerName = "fedactors-state";

    private const int HeaderSize = 12, ChecksumSize = 4;

    private static ReadOnlySpan<byte> Magic => "FAST"u8;

    private sealed record Kind(ushort Tag, string Manifest, Type Type, StateReader.Item<IPersistedState> Read);

    // Tags and manifests are part of the format: never renumber or rename them.
    private static readonly Kind[] Kinds =
    [
        new(1, "RunStarted", typeof(RunStarted), static (ref StateReader r) => StateCodec.ReadRunStarted(ref r)),
        new(2, "StepPersisted", typeof(StepPersisted), static (ref StateReader r) => StateCodec.ReadStepPersisted(ref r)),
        new(3, "ResultPersisted", typeof(ResultPersisted), static (ref StateReader r) => StateCodec.ReadResultPersisted(ref r)),
        new(4, "RunResumed", typeof(RunResumed), static (ref StateReader r) => StateCodec.ReadRunResumed(ref r)),
        new(5, "CoordinatorSnapshot", typeof(CoordinatorSnapshot), static (ref StateReader r) => StateCodec.ReadCoordinatorSnapshot(ref r)),
        new(6, "EvaluationPersisted", typeof(EvaluationPersisted), static (ref StateReader r) => StateCodec.ReadEvaluationPersisted(ref r)),
        new(7, "ClockAdvanced", typeof(ClockAdvanced), static (ref StateReader r) => StateCodec.ReadClockAdvanced(ref r)),
    ];

    /// <summary>Created by Akka from <c>akka.actor.serializers</c>.</summary>
    /// <param name="system">The actor system.</param>
    public StateSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>
    /// Registers this serializer and binds <see cref="IPersistedState"/> to it. Use it as the first layer of
    /// the actor system's config: <c>ActorSystem.Create(name, StateSerializer.Configuration.WithFallback(config))</c>.
    /// </summary>
    public static Config Configuration { get; } = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers {
            {{SerializerName}} = "{{TypeName(typeof(StateSerializer))}}"
          }
          serialization-bindings {
            "{{TypeName(typeof(IPersistedState))}}" = {{SerializerName}}
          }
        }
        """);

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <inheritdoc />
    public override string Manifest(object o) => KindOf(o).Manifest;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => Serialize(obj as IPersistedState
        ?? throw new ArgumentException($"{obj?.GetType().FullName ?? "null"} is not an {nameof(IPersistedState)}", nameof(obj)));

    /// <inheritdoc />
    /// <exception cref="StateFormatException">The blob is not readable FedActors state or does not match <paramref name="manifest"/>.</exception>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var kind = Array.Find(Kinds, k => k.Manifest == manifest)
            ?? throw new StateFormatException(StateFormatError.UnknownType,
                $"unknown manifest '{manifest}'; this build reads {string.Join(", ", Kinds.Select(k => k.Manifest))}");
        return Decode(bytes, kind);
    }

    /// <summary>The framed blob of <paramref name="state"/>; the same state always gives the same bytes.</summary>
    /// <exception cref="ArgumentException">
    /// The state is not a persisted record, holds a null where a value is required, holds a string that is not
    /// valid UTF-16, or a journaled result that is neither a ClientUpdate nor a JobFailed.
    /// </exception>
    public static byte[] Serialize(IPersistedState state)
    {
        var kind = KindOf(state);
        using var w = new StateWriter(SizeHint(state));
        w.Reserve(HeaderSize);
        switch (state)
        {
            case RunStarted s: StateCodec.Write(w, s); break;
            case StepPersisted s: StateCodec.Write(w, s); break;
            case ResultPersisted s: StateCodec.Write(w, s); break;
            case RunResumed s: StateCodec.Write(w, s); break;
            case CoordinatorSnapshot s: StateCodec.Write(w, s); break;
            case EvaluationPersisted s: StateCodec.Write(w, s); break;
            case ClockAdvanced s: StateCodec.Write(w, s); break;
        }
        var header = w.Written;
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], kind.Tag);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], w.Position - HeaderSize);
        var checksum = Crc32.HashToUInt32(w.Written);
        w.WriteUInt32(checksum);
        return w.ToArray();
    }

    /// <summary>Reads a framed blob, whatever record it holds (its type tag decides).</summary>
    /// <exception cref="StateFormatException">The blob is not FedActors state, has an unsupported version, is truncated or corrupt, or holds an invalid value.</exception>
    public static IPersistedState Deserialize(ReadOnlySpan<byte> blob) => Decode(blob, expected: null);

    private static IPersistedState Decode(ReadOnlySpan<byte> blob, Kind? expected)
    {
        var prefix = blob[..Math.Min(blob.Length, Magic.Length)];
        if (blob.IsEmpty || !prefix.SequenceEqual(Magic[..prefix.Length]))
            throw new StateFormatException(StateFormatError.NotFedActorsState,
                $"not FedActors state: the blob starts with [{Convert.ToHexString(prefix)}], FedActors state starts with [{Convert.ToHexString(Magic)}] (\"FAST\")");
        if (blob.Length < HeaderSize + ChecksumSize)
            throw new StateFormatException(StateFormatError.LengthMismatch,
                $"truncated: the blob has {blob.Length} bytes, fewer than the {HeaderSize + ChecksumSize} of an empty frame");

        var version = BinaryPrimitives.ReadUInt16LittleEndian(blob[4..]);
        if (version is < OldestReadableVersion or > FormatVersion)
            throw new StateFormatException(StateFormatError.UnsupportedVersion,
                $"format version {version} is not supported by this build (supports {OldestReadableVersion} to {FormatVersion})");
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(blob[6..]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(blob[8..]);
        if (length < 0)
            throw new StateFormatException(StateFormatError.InvalidValue, $"the header declares a negative payload length ({length})");
        var declared = (long)HeaderSize + length + ChecksumSize;
        if (declared != blob.Length)
            throw new StateFormatException(StateFormatError.LengthMismatch, declared > blob.Length
                ? $"truncated: the header declares a {length}-byte payload, {declared} bytes in all, but the blob has {blob.Length}"
                : $"length mismatch: the header declares a {length}-byte payload, {declared} bytes in all, but the blob has {blob.Length}");

        var stored = BinaryPrimitives.ReadUInt32LittleEndian(blob[^ChecksumSize..]);
        var computed = Crc32.HashToUInt32(blob[..^ChecksumSize]);
        if (stored != computed)
            throw new StateFormatException(StateFormatError.ChecksumMismatch,
                $"checksum mismatch: stored CRC-32 0x{stored:x8}, computed 0x{computed:x8}: the persisted state is corrupt");

        var kind = Array.Find(Kinds, k => k.Tag == tag)
            ?? throw new StateFormatException(StateFormatError.UnknownType,
                $"unknown type tag {tag}; this build reads {string.Join(", ", Kinds.Select(k => $"{k.Tag} ({k.Manifest})"))}");
        if (expected is not null && expected.Tag != tag)
            throw new StateFormatException(StateFormatError.ManifestMismatch,
                $"the manifest '{expected.Manifest}' names type tag {expected.Tag}, but the blob holds type tag {tag} ({kind.Manifest})");

        var reader = new StateReader(blob.Slice(HeaderSize, length), version);
        var state = kind.Read(ref reader);
        if (reader.Remaining != 0)
            throw new StateFormatException(StateFormatError.LengthMismatch,
                $"length mismatch: the {kind.Manifest} payload ends after {length - reader.Remaining} of its declared {length} bytes");
        return state;
    }

    private static Kind KindOf(object? state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var type = state.GetType();
        return Array.Find(Kinds, k => k.Type == type)
            ?? throw new ArgumentException($"{type.FullName} is not a persisted state record this serializer knows", nameof(state));
    }

    /// <summary>Bytes to rent up front: the float arrays plus room for the rest, so big states rarely regrow the buffer.</summary>
    private static int SizeHint(IPersistedState state)
    {
        static long Floats(float[]? values) => 4L + 4L * (values?.Length ?? 0);
        static long Checkpoint(CoordinatorCheckpoint? c) => c is null ? 0
            : 4096 + Floats(c.Optimizer?.M) + Floats(c.Optimizer?.V) + 256L * ((c.NewRecords?.Count ?? 0) + (c.PendingEvaluations?.Count ?? 0));
        static long Result(ClientProtocol.IClientResult? r) => 256 + (r is ClientProtocol.ClientUpdate u ? UpdatePayloadCodec.SizeOf(u.Payload) : 0);

        var hint = HeaderSize + ChecksumSize + state switch
        {
            RunStarted s => 256 + Floats(s.InitialWeights),
            StepPersisted s => Checkpoint(s.Checkpoint) + Floats(s.Weights),
            ResultPersisted s => Result(s.Result),
            CoordinatorSnapshot s => 256 + Floats(s.Started?.InitialWeights) + Checkpoint(s.Latest)
                + (s.Versions?.Sum(v => 8 + Floats(v?.Weights)) ?? 0) + (s.Results?.Sum(r => Result(r?.Result)) ?? 0)
                + 256L * (s.Records?.Count ?? 0) + 8L * (s.Participation?.Count ?? 0),
            _ => 256,
        };
        return (int)Math.Min(hint, Array.MaxLength);
    }

    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
