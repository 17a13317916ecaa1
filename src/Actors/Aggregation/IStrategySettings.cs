namespace FedActors.Actors.Aggregation;

/// <summary>
/// The settings of one aggregation strategy, read from <c>fedactors.server</c>: what the run's summary reports of it,
/// and how to build the strategy. Like Akka's <c>Props</c>, it is a value that makes the thing: the coordinator builds
/// a fresh strategy from it for a new run and for every restore.
/// </summary>
public interface IStrategySettings
{
    /// <summary>The config name (<c>fedactors.server.algorithm</c>) and summary.json's <c>algorithm</c>.</summary>
    string Name { get; }

    /// <summary>How the coordinator hands out jobs for the strategy.</summary>
    Participation Participation { get; }

    /// <summary>Updates that make one server step when that number is fixed (FedBuff's K, FedAsync's 1); null when it varies (summary.json <c>buffer_size</c>).</summary>
    int? UpdatesPerStep { get; }

    /// <summary>A new strategy for models of <paramref name="dimension"/> values, at its initial state.</summary>
    IAggregationStrategy Create(int dimension);
}
