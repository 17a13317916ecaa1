namespace FedActors.Actors.Aggregation;

/// <summary>
/// FedAsync (Xie et al. 2019, "Asynchronous Federated Optimization", Algorithm 1): every accepted update is a
/// server step of its own, x_t = (1 − α_t)·x_{t−1} + α_t·(x_base + Δ) with α_t = α·s(τ). Clients send Δ = local − base,
/// so the base version's weights come with the update (<see cref="ClientContribution.BaseWeights"/>). No server
/// optimizer: the mixing is the step.
/// </summary>
public sealed class FedAsync : IAggregationStrategy
{
    private readonly FedAsyncSettings _settings;
    private ClientContribution? _pending;
    private double _alphaT;

    /// <summary>Creates the strategy for models of <paramref name="dimension"/> values.</summary>
    public FedAsync(FedAsyncSettings settings, int dimension)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Participation = new Participation.Continuous(settings.Concurrency);
    }

    /// <inheritdoc />
    public Participation Participation { get; }

    /// <inheritdoc />
    public int Pending => _pending is null ? 0 : 1;

    /// <inheritdoc />
    public bool IsStepDue => _pending is not null;

    /// <inheritdoc />
    public Admission Offer(in ClientContribution update)
    {
        if (_pending is not null) return Admission.Rejected("buffer_full");
        if (!Vectors.AllFinite(update.Delta)) return Admission.NonFinite;
        if (_settings.Staleness.MaxStaleness is int max && update.Staleness > max) return Admission.TooStale;
        _pending = update;
        return Admission.Accepted;
    }

    /// <inheritdoc />
    public AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate)
    {
        if (_pending is not { } update) return AggregateKind.None;
        _alphaT = FedAsyncMixing.Alpha(_settings.Alpha, _settings.Staleness.Weight, update.Staleness);
        if (update.Scale == 1f) update.Delta.CopyTo(aggregate);
        else WeightedAverage.Scale(update.Delta, update.Scale, aggregate);
        return AggregateKind.SingleUpdate;
    }

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<float> current, ReadOnlySpan<float> aggregate, Span<float> next)
    {
        var update = _pending ?? throw new InvalidOperationException("FedAsync applies an update it was offered and has aggregated");
        FedAsyncMixing.Apply(current, update.BaseWeights, aggregate, _alphaT, next);
        _pending = null;
    }

    /// <inheritdoc />
    public ServerOptimizerState? OptimizerState => null;

    /// <inheritdoc />
    public void Restore(ServerOptimizerState? state)
    {
        if (state is not null) throw new ArgumentException($"FedAsync keeps no server-optimizer state, but the persisted state holds '{state.Optimizer}'", nameof(state));
    }
}
