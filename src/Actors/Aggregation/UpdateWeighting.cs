namespace FedActors.Actors.Aggregation;

/// <summary>c_i, the base weight of a client's update before the staleness factor.</summary>
public enum UpdateWeighting
{
    /// <summary>c_i = 1: every update counts the same (FedBuff, Nguyen et al. 2022, Algorithm 1).</summary>
    Uniform,

    /// <summary>c_i = n_i, the client's sample count: FedAvg's weighting (McMahan et al. 2017).</summary>
    SampleWeighted,
}

/// <summary>How the buffered sum Σ s(τ_i)·c_i·Δ_i is normalized at a flush.</summary>
public enum StalenessNormalization
{
    /// <summary>
    /// Divide by Σ c_i (K when uniform): staleness factors shrink the step, as in the FedBuff paper's
    /// Δ̄ = (1/K) Σ s(τ_i) Δ_i. The default.
    /// </summary>
    None,

    /// <summary>
    /// Divide by Σ s(τ_i)·c_i: a weighted mean whose step size ignores staleness. This is what FLSim's
    /// FedBuff code computes (its weighted-average reducer cancels the avg-staleness normalization).
    /// </summary>
    WeightedMean,
}

/// <summary>Why <see cref="UpdateBuffer.TryAdd"/> did or did not take an update.</summary>
public enum BufferAdmission
{
    /// <summary>The update is in the buffer.</summary>
    Accepted,

    /// <summary>The buffer holds K updates already; flush before adding more.</summary>
    BufferFull,

    /// <summary>A sample-weighted buffer got an update trained on no samples: it would carry zero weight.</summary>
    NoSamples,

    /// <summary>Δ held NaN or ±∞, or its weighted values overflowed the sum; it would poison the aggregate.</summary>
    NonFinite,
}

/// <summary>Parses the config names of <see cref="UpdateWeighting"/> and <see cref="StalenessNormalization"/>.</summary>
public static class UpdateWeightings
{
    /// <summary>Parses <c>uniform</c> | <c>sample-weighted</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static UpdateWeighting Parse(string name) =>
        name?.Trim().ToLowerInvariant() switch
        {
            "uniform" => UpdateWeighting.Uniform,
            "sample-weighted" => UpdateWeighting.SampleWeighted,
            _ => throw new ArgumentException(
                $"unknown update weighting '{name}'; valid values are 'uniform', 'sample-weighted'", nameof(name)),
        };

    /// <summary>Parses <c>none</c> | <c>weighted-mean</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static StalenessNormalization ParseNormalization(string name) =>
        name?.Trim().ToLowerInvariant() switch
        {
            "none" => StalenessNormalization.None,
            "weighted-mean" => StalenessNormalization.WeightedMean,
            _ => throw new ArgumentException(
                $"unknown staleness normalization '{name}'; valid values are 'none', 'weighted-mean'", nameof(name)),
        };
}
