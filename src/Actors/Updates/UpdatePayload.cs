namespace FedActors.Actors.Updates;

/// <summary>
/// A client update as it travels: dense float32 (<see cref="DensePayload"/>), sparse indices and values
/// (<see cref="SparsePayload"/>) or quantized codes with per-chunk scales (<see cref="QuantizedPayload"/>). Whatever
/// the kind, it stands for a vector of <see cref="Length"/> values in the model's layout, and it has one encoding
/// (<see cref="UpdatePayloadCodec"/>) that the wire, the journal and chunking all use, so its byte count is what the
/// run's <c>bytes_up</c> counts. Payloads are immutable once built: nobody writes into their arrays.
/// </summary>
public abstract record UpdatePayload
{
    private protected UpdatePayload() { }

    /// <summary>Values of the vector it stands for: the model's parameter count.</summary>
    public abstract int Length { get; }

    /// <summary>Writes the vector it stands for into <paramref name="destination"/> (<see cref="Length"/> values), every value.</summary>
    public abstract void CopyTo(Span<float> destination);

    private protected void RequireDestination(Span<float> destination)
    {
        if (destination.Length != Length)
            throw new ArgumentException($"a payload of {Length} values cannot fill a vector of {destination.Length}", nameof(destination));
    }
}
