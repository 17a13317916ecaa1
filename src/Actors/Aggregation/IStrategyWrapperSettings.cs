namespace FedActors.Actors.Aggregation;

/// <summary>The settings of one <see cref="StrategyWrapper"/>: builds it around a strategy, as <see cref="IStrategySettings"/> builds the strategy.</summary>
public interface IStrategyWrapperSettings
{
    /// <summary>The wrapper's name, for summaries and error messages.</summary>
    string Name { get; }

    /// <summary>A new wrapper around <paramref name="inner"/>, for models of <paramref name="dimension"/> values.</summary>
    IAggregationStrategy Wrap(IAggregationStrategy inner, int dimension);
}
