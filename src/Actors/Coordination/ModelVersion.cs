namespace FedActors.Actors.Coordination;

/// <summary>Identifies one training job; issued in sequence by the coordinator, never reused.</summary>
/// <param name="Value">The sequence number, ≥ 0.</param>
public readonly record struct JobId(long Value)
{
    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A published version of the global model. Immutable once published: every job and client that
/// trains from it shares the same <see cref="Weights"/> array, which nobody may write.
/// </summary>
/// <param name="Number">The version number: server steps taken before it (0 = initial model).</param>
/// <param name="Weights">Flat weights in the model's layout; shared, read-only.</param>
public sealed record ModelVersion(long Number, float[] Weights)
{
    /// <summary>Number of parameters.</summary>
    public int Dimension => Weights.Length;
}

/// <summary>How many bytes a model or update is counted as in a one-process run (a cluster run counts the bytes it sent, see <see cref="IWireMeter"/>).</summary>
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
