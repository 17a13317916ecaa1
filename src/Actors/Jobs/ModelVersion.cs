namespace FedActors.Actors.Jobs;

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

    /// <summary>
    /// When the downlink is compressed: the encoded form these weights were decoded from, which is what crosses the wire
    /// to a node (<see cref="Compression.ModelBroadcasts"/>). Null for the exact weights the server keeps.
    /// </summary>
    public Updates.UpdatePayload? Broadcast { get; init; }
}
