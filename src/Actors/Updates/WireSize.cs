namespace FedActors.Actors.Updates;

/// <summary>
/// How many bytes a model or an update is counted as in a one-process run: what the wire serializer would write
/// for it (a cluster run counts the bytes it did write, see <c>IWireMeter</c>).
/// </summary>
/// <remarks>
/// <para>A model goes out as a fixed <see cref="HeaderBytes"/> header — job id (8), client id (4), version (8), sample
/// count (8), step count (4), loss and norm (2 × 8), length (4), and 12 bytes of framing and type tag, 64 bytes —
/// and 4 bytes per float32 parameter.</para>
/// <para>An update is the wire serializer's 60-byte header (type tag and version 4, job 8, client 4, base version 8,
/// samples 8, steps 4, loss, norm and compute seconds 3 × 8) and its payload's encoding
/// (<see cref="UpdatePayloadCodec.SizeOf"/>): 65 + 4 per parameter when dense.</para>
/// </remarks>
public static class WireSize
{
    /// <summary>Fixed header per model message.</summary>
    public const int HeaderBytes = 64;

    /// <summary>Fixed header per update message, before its payload.</summary>
    public const int UpdateHeaderBytes = 60;

    /// <summary>Bytes of a model message carrying <paramref name="parameters"/> float32 values.</summary>
    public static long Of(int parameters) => HeaderBytes + 4L * parameters;

    /// <summary>Bytes of a model message carrying a compressed broadcast <paramref name="payload"/> instead of float32 values.</summary>
    public static long OfBroadcast(UpdatePayload payload) => HeaderBytes + UpdatePayloadCodec.SizeOf(payload);

    /// <summary>Bytes of an update message carrying <paramref name="payload"/>.</summary>
    public static long OfUpdate(UpdatePayload payload) => UpdateHeaderBytes + UpdatePayloadCodec.SizeOf(payload);
}
