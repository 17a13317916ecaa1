using System.Collections.Immutable;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// A strategy's settings with wrappers around it, innermost first: <see cref="Create"/> builds the strategy and wraps
/// it in that order. The run is still the inner strategy's run (its name, participation and updates per step).
/// </summary>
/// <param name="Inner">The strategy wrapped.</param>
/// <param name="Wrappers">The wrappers, innermost first; at least one.</param>
public sealed record WrappedStrategySettings(IStrategySettings Inner, ImmutableArray<IStrategyWrapperSettings> Wrappers) : IStrategySettings
{
    /// <inheritdoc />
    public string Name => Inner.Name;

    /// <inheritdoc />
    public Participation Participation => Inner.Participation;

    /// <inheritdoc />
    public int? UpdatesPerStep => Inner.UpdatesPerStep;

    /// <inheritdoc />
    public IAggregationStrategy Create(int dimension)
    {
        var strategy = Inner.Create(dimension);
        foreach (var wrapper in Wrappers) strategy = wrapper.Wrap(strategy, dimension);
        return strategy;
    }

    /// <summary><paramref name="inner"/> with <paramref name="wrapper"/> outside the wrappers it already has.</summary>
    public static IStrategySettings Around(IStrategySettings inner, IStrategyWrapperSettings wrapper)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(wrapper);
        return inner is WrappedStrategySettings wrapped
            ? wrapped with { Wrappers = wrapped.Wrappers.Add(wrapper) }
            : new WrappedStrategySettings(inner, [wrapper]);
    }
}
