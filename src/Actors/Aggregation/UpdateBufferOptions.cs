namespace FedActors.Actors.Aggregation;

/// <summary>The policy of an <see cref="UpdateBuffer"/>; validated on construction.</summary>
public sealed record UpdateBufferOptions
{
    /// <summary>Creates buffer options.</summary>
    /// <param name="capacity">K, updates per server step (FedBuff, Nguyen et al. 2022); ≥ 1.</param>
    /// <param name="weighting">How c_i is chosen: 1 or the sample count n_i.</param>
    /// <param name="staleness">s(τ), the staleness factor of each update.</param>
    /// <param name="normalization">How the buffered sum is normalized at a flush.</param>
    public UpdateBufferOptions(
        int capacity,
        UpdateWeighting weighting,
        IStalenessWeight staleness,
        StalenessNormalization normalization = StalenessNormalization.None)
    {
        if (capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "buffer capacity K must be ≥ 1");
        ArgumentNullException.ThrowIfNull(staleness);
        Capacity = capacity;
        Weighting = weighting;
        Staleness = staleness;
        Normalization = normalization;
    }

    /// <summary>K, the number of updates that make a server step.</summary>
    public int Capacity { get; init; }

    /// <summary>c_i: uniform (1) or sample-weighted (n_i).</summary>
    public UpdateWeighting Weighting { get; init; }

    /// <summary>s(τ), the staleness factor.</summary>
    public IStalenessWeight Staleness { get; init; }

    /// <summary>Divide by Σ c_i (default, the FedBuff paper) or by Σ s(τ_i)·c_i (FLSim).</summary>
    public StalenessNormalization Normalization { get; init; }
}
