namespace FedActors.Actors.Aggregation;

/// <summary>
/// FedBuff, buffered asynchronous aggregation (Nguyen et al., AISTATS 2022, "Federated Learning with Buffered
/// Asynchronous Aggregation", Algorithm 1): clients train continuously; each accepted update goes into a buffer
/// of K weighted by its staleness s(τ), and every K updates the buffer's pseudo-gradient takes one server-optimizer
/// step (FedOpt, Reddi et al. 2021; plain SGD with η = 1 by default).
/// </summary>
public sealed class FedBuff : IAggregationStrategy
{
    private readonly FedBuffSettings _settings;
    private readonly UpdateBuffer _buffer;
    private readonly IServerOptimizer _optimizer;
    private readonly IUpdateCombiner? _combiner;

    /// <summary>Creates the strategy for models of <paramref name="dimension"/> values.</summary>
    public FedBuff(FedBuffSettings settings, int dimension)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _buffer = new UpdateBuffer(dimension, settings.PoissonSampleSize is { } expected
            ? UpdateBufferOptions.ForPoissonStep(expected, settings.Weighting, settings.Staleness.Weight, settings.Staleness.Normalization)
            : new UpdateBufferOptions(settings.StepSize, settings.Weighting, settings.Staleness.Weight, settings.Staleness.Normalization));
        _optimizer = settings.Optimizer.Create(dimension);
        settings.Aggregator.RequireStep(settings.StepSize, settings.CohortSize > 0 ? "cohorts.size" : "buffer-size");
        _combiner = settings.Aggregator.Create();
        Participation = settings.Participation;
    }

    /// <inheritdoc />
    public Participation Participation { get; }

    /// <inheritdoc />
    public int Pending => _buffer.Count;

    /// <inheritdoc />
    public bool IsStepDue => _buffer.IsFull;

    /// <inheritdoc />
    public Admission Offer(in ClientContribution update)
    {
        if (_settings.Staleness.MaxStaleness is int max && update.Staleness > max) return Admission.TooStale;
        // The buffer checks finiteness as it folds the update, sums included: one pass over Δ instead of two.
        return Admission.Of(_buffer.TryAdd(update.Delta, update.Samples, update.Staleness, update.Scale, update.ClientId));
    }

    /// <inheritdoc />
    public AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate) =>
        _buffer.TryCombine(_combiner, aggregate) ? AggregateKind.PseudoGradient : AggregateKind.None;

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<float> current, ReadOnlySpan<float> aggregate, Span<float> next) =>
        _optimizer.Step(current, aggregate, next);

    /// <inheritdoc />
    public IReadOnlyList<int> Excluded => _buffer.Excluded;

    /// <inheritdoc />
    public ServerOptimizerState? OptimizerState => _optimizer.State;

    /// <inheritdoc />
    public void Restore(ServerOptimizerState? state) =>
        _optimizer.Restore(state ?? throw new ArgumentException($"the persisted state has no server-optimizer state for '{_optimizer.Name}'", nameof(state)));
}
