
namespace FedActors.Actors.Updates;

/// <summary>
/// What an update transform may derive randomness and per-client state from: known alike to the client that encodes
/// and the server that decodes, so a shared random mask or a seeded rotation costs no bytes. Randomness derives from
/// (<see cref="Seed"/>, <see cref="ClientId"/>, <see cref="JobId"/>, a purpose of the transform's own), never from a
/// shared generator.
/// </summary>
/// <param name="Seed">The run's master seed.</param>
/// <param name="ClientId">The client whose update it is.</param>
/// <param name="JobId">The job the update answers; a retried job trains and encodes to the same update.</param>
/// <param name="BaseVersion">The model version the client trained from.</param>
/// <param name="Dimension">The model's parameter count: the length of Δ before encoding and after decoding.</param>
public readonly record struct TransformContext(ulong Seed, int ClientId, long JobId, long BaseVersion, int Dimension)
{
    /// <summary>
    /// The client's last job whose result the coordinator took before it sent this one, or −1 when there is none: what
    /// error feedback continues from. The coordinator names it, so a resumed or retried job continues from the same row.
    /// </summary>
    public long PreviousJob { get; init; } = -1;

    /// <summary>
    /// The value count of each of the model's parameter tensors, in layout order (summing to <see cref="Dimension"/>), for
    /// transforms that work layer by layer; empty when the pipeline needs none.
    /// </summary>
    public ReadOnlyMemory<int> Layers { get; init; }
}
