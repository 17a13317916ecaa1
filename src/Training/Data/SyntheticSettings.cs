namespace FedActors.Training.Data;

/// <summary>Parameters of the FedProx Synthetic(α, β) federated dataset (Li et al. 2020, "Federated Optimization in Heterogeneous Networks").</summary>
/// <param name="Alpha">α: standard deviation of each device's model mean u_k ~ N(0, α); how much local models differ. Must be ≥ 0.</param>
/// <param name="Beta">β: standard deviation of each device's input mean B_k ~ N(0, β); how much local inputs differ. Must be ≥ 0.</param>
/// <param name="Iid">True for Synthetic-IID: one global model and zero-mean inputs; α and β are then ignored.</param>
/// <remarks>α and β are standard deviations, as in the reference code's <c>np.random.normal(0, alpha)</c> (numpy's scale), not variances.</remarks>
public sealed record SyntheticSettings(double Alpha, double Beta, bool Iid)
{
    /// <summary>Throws when α or β is negative or not finite.</summary>
    public void Validate()
    {
        if (!(Alpha >= 0) || double.IsInfinity(Alpha))
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "synthetic alpha must be a finite number ≥ 0");
        if (!(Beta >= 0) || double.IsInfinity(Beta))
            throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "synthetic beta must be a finite number ≥ 0");
    }

    /// <summary>A short name for datasets: <c>synthetic(α,β)</c> or <c>synthetic-iid</c>.</summary>
    public string DisplayName => Iid ? "synthetic-iid" : FormattableString.Invariant($"synthetic({Alpha},{Beta})");
}
