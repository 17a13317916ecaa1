namespace FedActors.Actors.Aggregation;

/// <summary>
/// What a <see cref="StrategyWrapper"/> carries from one step to the next that the run's seed and step cannot give back
/// (adaptive clipping's clip norm): checkpointed with every step, restored on resume.
/// </summary>
/// <param name="Owner">The wrapper's name, so that a state is never restored into another wrapper.</param>
/// <param name="Values">The wrapper's numbers.</param>
public sealed record WrapperState(string Owner, IReadOnlyList<double> Values);
