namespace FedActors.Actors.Aggregation;

/// <summary>
/// A federated aggregation strategy: what the server does with the client updates it accepts. The coordinator
/// offers it each update that passed its own checks (right job, right client, right length), asks whether a
/// step is due, and takes the step in two parts: the strategy forms the aggregate of what it took, then applies
/// it to the current model. Between the two a wrapper may change the aggregate (noise after clipping, say) and
/// the coordinator measures drift. Scheduling (who trains, when), persistence and counting stay in the coordinator.
/// </summary>
/// <remarks>
/// <para>Implementations in this folder, one file each: <see cref="FedBuff"/>, <see cref="FedAsync"/> and
/// <see cref="FedAvg"/>. A strategy is built from its settings (<see cref="IStrategySettings.Create"/>) for one
/// model size and is not thread-safe: the coordinator owns it. Wrappers (<see cref="StrategyWrapper"/>) compose around
/// any of them.</para>
/// <para>Ownership: an accepted update's array is referenced, never modified, until the step that uses it; the
/// coordinator keeps the arrays of the updates it offered and reuses them only after that step. A refused update
/// leaves the strategy exactly as it was.</para>
/// <para>A step boundary is the moment right after <see cref="Apply"/>: the strategy then holds no update
/// (<see cref="Pending"/> = 0), and <see cref="OptimizerState"/> is all it carries into the next step. That is
/// what checkpoints record.</para>
/// </remarks>
public interface IAggregationStrategy
{
    /// <summary>How the coordinator hands out jobs for this strategy.</summary>
    Participation Participation { get; }

    /// <summary>Updates taken since the last step.</summary>
    int Pending { get; }

    /// <summary>True when the strategy has what its next step needs (FedBuff: K updates; FedAsync: one; FedAvg: n).</summary>
    bool IsStepDue { get; }

    /// <summary>Takes one update, or says why not.</summary>
    /// <param name="update">The update; its arrays are referenced until the next step.</param>
    Admission Offer(in ClientContribution update);

    /// <summary>
    /// The coordinator is about to form the step that makes model version <paramref name="serverStep"/>: a strategy or
    /// wrapper that draws randomness per step (DP noise) seeds it from the run's seed and this number, so that a step
    /// replayed after a crash draws the same. Called before every <see cref="Aggregate"/>.
    /// </summary>
    void PrepareStep(long serverStep) { }

    /// <summary>
    /// Writes into <paramref name="aggregate"/> what the next step applies, from the updates taken since the last step.
    /// </summary>
    /// <param name="current">x_t, the current global weights.</param>
    /// <param name="aggregate">Receives the aggregate; as many values as the model.</param>
    /// <returns>What the aggregate is, or <see cref="AggregateKind.None"/> (no step) when nothing was taken.</returns>
    AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate);

    /// <summary>
    /// Writes x_{t+1} into <paramref name="next"/> from x_t and the aggregate formed by <see cref="Aggregate"/>, and
    /// starts over: afterwards <see cref="Pending"/> is 0.
    /// </summary>
    /// <param name="current">x_t.</param>
    /// <param name="aggregate">The aggregate, possibly changed by a wrapper since <see cref="Aggregate"/>.</param>
    /// <param name="next">Receives x_{t+1}: a fresh array (published versions are immutable) that overlaps neither input.</param>
    void Apply(ReadOnlySpan<float> current, ReadOnlySpan<float> aggregate, Span<float> next);

    /// <summary>
    /// The clients whose updates the last <see cref="Aggregate"/> took but left out of the aggregate (a robust aggregator
    /// that selects whole updates), one entry per update; empty when every update taken counted.
    /// </summary>
    IReadOnlyList<int> Excluded => [];

    /// <summary>The server optimizer's state after the last step (a copy), or null when the strategy keeps none.</summary>
    ServerOptimizerState? OptimizerState { get; }

    /// <summary>The state a wrapper carries across steps (<see cref="WrapperState"/>), or null when none does.</summary>
    WrapperState? WrapperState => null;

    /// <summary>Continues from a checkpoint's wrapper state (null: none was kept).</summary>
    /// <exception cref="ArgumentException">The state belongs to no wrapper of this strategy, or one that keeps state finds none.</exception>
    void RestoreWrapper(WrapperState? state)
    {
        if (state is not null) throw new ArgumentException($"the persisted state holds the state of '{state.Owner}', which this run's strategy does not have", nameof(state));
    }

    /// <summary>Continues from a checkpoint's optimizer state; the next step then goes on bit-identically.</summary>
    /// <exception cref="ArgumentException">The state does not belong to this strategy's optimizer, or is missing where one is kept.</exception>
    void Restore(ServerOptimizerState? state);
}

/// <summary>What <see cref="IAggregationStrategy.Aggregate"/> formed.</summary>
public enum AggregateKind
{
    /// <summary>Nothing: no update was taken since the last step, so there is no step.</summary>
    None,

    /// <summary>A pseudo-gradient Δ̄ combined from the updates taken (FedOpt's framing: the server optimizer's input).</summary>
    PseudoGradient,

    /// <summary>One update's Δ, to be mixed into the model (FedAsync); no combination took place.</summary>
    SingleUpdate,
}
