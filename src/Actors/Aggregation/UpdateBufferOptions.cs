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

    /// <summary>
    /// The policy of a step drawn by Poisson sampling with <paramref name="expected"/> members on average: no bound on its
    /// size (it closes on its jobs, never at a count), and with uniform weights a divisor fixed at
    /// <paramref name="expected"/>, as DP-FedAvg divides, so that the divisor does not reveal who took part.
    /// </summary>
    public static UpdateBufferOptions ForPoissonStep(int expected, UpdateWeighting weighting, IStalenessWeight staleness,
        StalenessNormalization normalization = StalenessNormalization.None) =>
        new(int.MaxValue, weighting, staleness, normalization)
        {
            FixedDivisor = weighting == UpdateWeighting.Uniform ? expected : null,
        };

    /// <summary>K, the number of updates that make a server step.</summary>
    public int Capacity { get; init; }

    /// <summary>c_i: uniform (1) or sample-weighted (n_i).</summary>
    public UpdateWeighting Weighting { get; init; }

    /// <summary>s(τ), the staleness factor.</summary>
    public IStalenessWeight Staleness { get; init; }

    /// <summary>Divide by Σ c_i (default, the FedBuff paper) or by Σ s(τ_i)·c_i (FLSim).</summary>
    public StalenessNormalization Normalization { get; init; }

    /// <summary>
    /// A divisor fixed in advance instead of <see cref="Normalization"/>'s sum (a Poisson round's expected size, as
    /// DP-FedAvg divides, so that the divisor does not reveal who took part); with it an empty buffer flushes to zero
    /// instead of not at all. Null divides by the sum. Positive and finite when set.
    /// </summary>
    public double? FixedDivisor
    {
        get => _fixedDivisor;
        init => _fixedDivisor = value is null || (value > 0 && double.IsFinite(value.Value)) ? value
            : throw new ArgumentOutOfRangeException(nameof(FixedDivisor), value, "a fixed divisor must be finite and > 0");
    }

    private readonly double? _fixedDivisor;
}
