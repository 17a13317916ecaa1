namespace FedActors.Actors.Aggregation;

/// <summary>
/// Everything an <see cref="UpdateBuffer"/> holds, as a value that can be persisted and restored.
/// The arrays are copies owned by this record; treat them as read-only.
/// </summary>
/// <param name="Accumulator">Σ s(τ_i)·c_i·Δ_i over the buffered updates.</param>
/// <param name="WeightSum">Σ s(τ_i)·c_i.</param>
/// <param name="BaseWeightSum">Σ c_i (the count when uniform, the samples when sample-weighted).</param>
/// <param name="Samples">Σ n_i, whatever the weighting.</param>
/// <param name="Stalenesses">τ_i of each buffered update, in arrival order; its length is the count.</param>
public sealed record UpdateBufferState(
    float[] Accumulator,
    double WeightSum,
    double BaseWeightSum,
    long Samples,
    int[] Stalenesses)
{
    /// <summary>Number of buffered updates.</summary>
    public int Count => Stalenesses.Length;
}

/// <summary>Diagnostics of the updates in a buffer (or just flushed from it).</summary>
/// <param name="Count">Number of updates.</param>
/// <param name="WeightSum">Σ s(τ_i)·c_i.</param>
/// <param name="BaseWeightSum">Σ c_i.</param>
/// <param name="Samples">Σ n_i.</param>
/// <param name="MeanStaleness">Mean τ_i; 0 when empty.</param>
/// <param name="MaxStaleness">Largest τ_i; 0 when empty.</param>
public sealed record UpdateBufferStats(
    int Count,
    double WeightSum,
    double BaseWeightSum,
    long Samples,
    double MeanStaleness,
    int MaxStaleness);
