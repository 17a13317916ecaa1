namespace FedActors.Actors.Aggregation;

/// <summary>
/// FedAvg, synchronous rounds (McMahan et al., AISTATS 2017, "Communication-Efficient Learning of Deep Networks
/// from Decentralized Data", Algorithm 1) with over-selection (Bonawitz et al., SysML 2019): a round's updates are
/// averaged weighted by their sample counts, Δ̄ = Σ n_i Δ_i / Σ n_i, and Δ̄ takes one server-optimizer step (η = 1
/// SGD is FedAvg; FedAvgM, FedAdam, FedYogi and FedAdagrad are FedOpt's variants, Reddi et al. 2021). The round
/// itself, who is selected and who is late, is the coordinator's (<see cref="Participation.Rounds"/>).
/// </summary>
public sealed class FedAvg : IAggregationStrategy
{
    private readonly UpdateBuffer _round;
    private readonly IServerOptimizer _optimizer;
    private readonly IUpdateCombiner? _combiner;

    /// <summary>Creates the strategy for models of <paramref name="dimension"/> values.</summary>
    public FedAvg(FedAvgSettings settings, int dimension)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // A round is a buffer of n updates (sample-weighted by default), all of staleness 0, flushed when the round closes.
        var options = settings.Poisson
            ? UpdateBufferOptions.ForPoissonStep(settings.ClientsPerRound, settings.Weighting, new ConstantStaleness())
            : new UpdateBufferOptions(settings.ClientsPerRound, settings.Weighting, new ConstantStaleness());
        _round = new UpdateBuffer(dimension, options);
        _optimizer = settings.Optimizer.Create(dimension);
        settings.Aggregator.RequireStep(settings.ClientsPerRound, "clients-per-round");
        _combiner = settings.Aggregator.Create();
        Participation = settings.Participation;
    }

    /// <inheritdoc />
    public Participation Participation { get; }

    /// <inheritdoc />
    public int Pending => _round.Count;

    /// <inheritdoc />
    public bool IsStepDue => _round.IsFull;

    /// <inheritdoc />
    public Admission Offer(in ClientContribution update) =>
        Admission.Of(_round.TryAdd(update.Delta, update.Samples, staleness: 0, update.Scale, update.ClientId));

    /// <inheritdoc />
    public AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate) =>
        _round.TryCombine(_combiner, aggregate) ? AggregateKind.PseudoGradient : AggregateKind.None;

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<float> current, ReadOnlySpan<float> aggregate, Span<float> next) =>
        _optimizer.Step(current, aggregate, next);

    /// <inheritdoc />
    public IReadOnlyList<int> Excluded => _round.Excluded;

    /// <inheritdoc />
    public ServerOptimizerState? OptimizerState => _optimizer.State;

    /// <inheritdoc />
    public void Restore(ServerOptimizerState? state) =>
        _optimizer.Restore(state ?? throw new ArgumentException($"the persisted state has no server-optimizer state for '{_optimizer.Name}'", nameof(state)));
}
