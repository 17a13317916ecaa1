namespace FedActors.Actors.Updates;

/// <summary>Every value as float32: what local training produces and what the identity pipeline sends.</summary>
/// <param name="Values">The values; shared, read-only.</param>
public sealed record DensePayload(float[] Values) : UpdatePayload
{
    /// <summary>Checks the array.</summary>
    public float[] Values { get; } = Values ?? throw new ArgumentNullException(nameof(Values));

    /// <inheritdoc />
    public override int Length => Values.Length;

    /// <inheritdoc />
    public override void CopyTo(Span<float> destination)
    {
        RequireDestination(destination);
        Values.CopyTo(destination);
    }
}
