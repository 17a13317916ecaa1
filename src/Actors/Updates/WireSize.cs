namespace FedActors.Actors.Updates;

/// <summary>How many bytes a model or update is counted as in a one-process run (a cluster run counts the bytes it sent, see <c>IWireMeter</c>).</summary>
/// <remarks>
/// 4 bytes per float32 parameter plus a fixed <see cref="HeaderBytes"/> header: job id (8), client id (4),
/// version (8), sample count (8), step count (4), loss and norm (2 × 8), length (4), and 12 bytes of
/// framing and type tag — 64 bytes. The binary serializer of a later issue must keep to this estimate or
/// change it here.
/// </remarks>
public static class WireSize
{
    /// <summary>Fixed header per model or update message.</summary>
    public const int HeaderBytes = 64;

    /// <summary>Bytes of a message carrying <paramref name="parameters"/> float32 values.</summary>
    public static long Of(int parameters) => HeaderBytes + 4L * parameters;
}
