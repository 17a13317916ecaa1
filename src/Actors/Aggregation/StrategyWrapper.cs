namespace FedActors.Actors.Aggregation;

/// <summary>
/// A strategy around another one: every member passes to <see cref="Inner"/> unless the wrapper overrides it. A
/// wrapper changes what goes in (a norm clip sets <see cref="ClientContribution.Scale"/> in <see cref="Offer"/>),
/// what comes out (noise added to the aggregate in <see cref="Aggregate"/>), or replaces the combination itself.
/// Wrappers nest, so "clip, then FedBuff, then noise" is two wrappers around <see cref="FedBuff"/>.
/// </summary>
/// <remarks>
/// The coordinator sees only the outermost strategy; the ownership rules of <see cref="IAggregationStrategy"/> hold
/// for the wrapper as for the strategy inside. A wrapper that keeps state across steps must checkpoint it the way
/// <see cref="OptimizerState"/> does, or derive it from the run's seed and step.
/// </remarks>
/// <param name="inner">The strategy wrapped.</param>
public abstract class StrategyWrapper(IAggregationStrategy inner) : IAggregationStrategy
{
    /// <summary>The strategy wrapped.</summary>
    protected IAggregationStrategy Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public virtual Participation Participation => Inner.Participation;

    /// <inheritdoc />
    public virtual int Pending => Inner.Pending;

    /// <inheritdoc />
    public virtual bool IsStepDue => Inner.IsStepDue;

    /// <inheritdoc />
    public virtual Admission Offer(in ClientContribution update) => Inner.Offer(update);

    /// <inheritdoc />
    public virtual void PrepareStep(long serverStep) => Inner.PrepareStep(serverStep);

    /// <inheritdoc />
    public virtual AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate) => Inner.Aggregate(current, aggregate);

    /// <inheritdoc />
    public virtual void Apply(ReadOnlySpan<float> current, ReadOnlySpan<float> aggregate, Span<float> next) => Inner.Apply(current, aggregate, next);

    /// <inheritdoc />
    public virtual IReadOnlyList<int> Excluded => Inner.Excluded;

    /// <inheritdoc />
    public virtual ServerOptimizerState? OptimizerState => Inner.OptimizerState;

    /// <inheritdoc />
    public virtual void Restore(ServerOptimizerState? state) => Inner.Restore(state);

    /// <inheritdoc />
    public virtual WrapperState? WrapperState => Inner.WrapperState;

    /// <inheritdoc />
    public virtual void RestoreWrapper(WrapperState? state) => Inner.RestoreWrapper(state);
}
