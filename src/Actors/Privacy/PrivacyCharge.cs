namespace FedActors.Actors.Privacy;

/// <summary>
/// <paramref name="Steps"/> releases of a Gaussian mechanism with noise multiplier <paramref name="NoiseMultiplier"/>, each
/// over a Poisson sample of rate <paramref name="SamplingRate"/> (1 when the selection gives no amplification): one entry
/// of the accountant's ledger.
/// </summary>
/// <param name="SamplingRate">q in [0, 1].</param>
/// <param name="NoiseMultiplier">σ ≥ 0: the noise's standard deviation over the clip norm.</param>
/// <param name="Steps">How many such releases, ≥ 0.</param>
public readonly record struct PrivacyCharge(double SamplingRate, double NoiseMultiplier, long Steps)
{
    /// <summary>Throws, naming the value, when the charge is not one the accountant can compose.</summary>
    public PrivacyCharge Validate()
    {
        if (!(SamplingRate >= 0 && SamplingRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(SamplingRate), SamplingRate, "the sampling rate must be in [0, 1]");
        if (!(NoiseMultiplier >= 0) || double.IsPositiveInfinity(NoiseMultiplier))
            throw new ArgumentOutOfRangeException(nameof(NoiseMultiplier), NoiseMultiplier, "the noise multiplier must be finite and ≥ 0");
        if (Steps < 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "the number of steps must be ≥ 0");
        return this;
    }
}
