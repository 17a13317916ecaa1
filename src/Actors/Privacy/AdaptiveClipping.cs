namespace FedActors.Actors.Privacy;

/// <summary>
/// Adaptive clipping (Andrew, Thakkar, McMahan and Ramaswamy, NeurIPS 2021): the clip norm follows the
/// <paramref name="TargetQuantile"/> of the clients' update norms. Each step counts the updates within the clip norm,
/// adds Gaussian noise of standard deviation <paramref name="CountStdDev"/> to the count, and moves the clip norm
/// geometrically: C ← C·exp(−η(b̃ − γ)), b̃ the noised fraction within C.
/// </summary>
/// <remarks>
/// The count is a second Gaussian mechanism on the same clients (sensitivity 1/2 once centred), so the update's noise
/// multiplier becomes z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2) and the two together cost what one mechanism of multiplier z costs
/// (the paper's Theorem 1): the accountant charges z as without adaptive clipping.
/// </remarks>
/// <param name="TargetQuantile">γ in (0, 1): the share of updates the clip norm should leave unclipped.</param>
/// <param name="LearningRate">η &gt; 0 of the geometric update.</param>
/// <param name="CountStdDev">σ_b &gt; 0, the count's noise (the paper suggests the updates per step / 20).</param>
public sealed record AdaptiveClipping(double TargetQuantile, double LearningRate, double CountStdDev)
{
    /// <summary>z_Δ for an overall noise multiplier <paramref name="z"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">z ≥ 2σ_b: the count alone would spend the whole budget.</exception>
    public double UpdateNoiseMultiplier(double z)
    {
        if (z == 0) return 0;
        if (!(z < 2 * CountStdDev))
            throw new ArgumentOutOfRangeException(nameof(z), z,
                $"adaptive clipping needs noise-multiplier < 2 x the count's noise ({2 * CountStdDev:G4}): raise adaptive-count-stddev or lower noise-multiplier");
        return 1 / Math.Sqrt(1 / (z * z) - 1 / (4 * CountStdDev * CountStdDev));
    }

    /// <summary>The clip norm after a step in which <paramref name="noisedFraction"/> of the updates were within <paramref name="clip"/>.</summary>
    public double Next(double clip, double noisedFraction) => clip * Math.Exp(-LearningRate * (noisedFraction - TargetQuantile));
}
