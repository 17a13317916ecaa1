namespace FedActors.Actors.Aggregation;

/// <summary>One accepted client update as an <see cref="IAggregationStrategy"/> sees it.</summary>
/// <param name="Delta">Δ_i = local − base, decoded to the model's dense layout; referenced, never modified, until the step that uses it.</param>
/// <param name="BaseWeights">x_base, the weights of the version the client trained from (FedAsync mixes them back in); shared, read-only.</param>
/// <param name="Samples">n_i, samples the client trained on; ≥ 0.</param>
/// <param name="Staleness">τ_i, server steps between the update's base version and the current one; ≥ 0.</param>
/// <param name="ClientId">The client, for strategies that treat clients apart (robust aggregators).</param>
public readonly record struct ClientContribution(float[] Delta, float[] BaseWeights, int Samples, int Staleness, int ClientId)
{
    /// <summary>
    /// A factor on Δ_i that wrappers set instead of rewriting the array (a server-side norm clip sets min(1, C/‖Δ‖)).
    /// Strategies apply it in their arithmetic. <value>Default 1: Δ_i as sent.</value>
    /// </summary>
    public float Scale { get; init; } = 1f;
}
