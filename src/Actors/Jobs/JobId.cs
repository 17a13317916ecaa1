namespace FedActors.Actors.Jobs;

/// <summary>Identifies one training job; issued in sequence by the coordinator, never reused.</summary>
/// <param name="Value">The sequence number, ≥ 0.</param>
public readonly record struct JobId(long Value)
{
    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
