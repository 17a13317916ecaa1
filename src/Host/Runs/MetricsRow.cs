using FedActors.Actors.Coordination;

namespace FedActors.Host.Runs;

/// <summary>One evaluation of the global model: a row of metrics.csv.</summary>
/// <param name="ServerStep">Server steps so far (centralized: optimizer steps).</param>
/// <param name="VirtualSeconds">Virtual time of the evaluation (equals wall time on the wall clock).</param>
/// <param name="WallSeconds">Real seconds since the run started.</param>
/// <param name="UpdatesApplied">Client updates applied so far.</param>
/// <param name="Accuracy">Test accuracy in [0, 1].</param>
/// <param name="Loss">Mean test loss.</param>
/// <param name="MeanStaleness">Mean staleness of the updates applied since the previous row; null where not applicable.</param>
/// <param name="MaxStaleness">Largest staleness since the previous row; null where not applicable.</param>
/// <param name="BytesUp">Serialized update bytes sent so far.</param>
/// <param name="BytesDown">Serialized model bytes sent so far.</param>
public sealed record MetricsRow(
    long ServerStep,
    double VirtualSeconds,
    double WallSeconds,
    long UpdatesApplied,
    double Accuracy,
    double Loss,
    double? MeanStaleness,
    long? MaxStaleness,
    long BytesUp,
    long BytesDown)
{
    /// <summary>The share of triggered test images classified as the backdoor's target; null when no backdoor is simulated.</summary>
    public double? BackdoorAccuracy { get; init; }

    /// <summary>Updates a robust aggregator filtered, and malicious ones taken and filtered, so far; null when nobody attacks.</summary>
    public DefenseCounts? Defense { get; init; }

    /// <summary>Client-level ε spent so far (at the run's δ); null when DP is off.</summary>
    public double? Epsilon { get; init; }
}
