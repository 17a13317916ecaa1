using FedActors.Actors.Coordination;
using FedActors.Training.Models;

namespace FedActors.Actors.Runs;

/// <summary>Everything a finished run reports (the summary.json fields the runtime knows).</summary>
/// <param name="Status">completed | stopped | failed.</param>
/// <param name="Algorithm">fedbuff | fedasync | fedavg.</param>
/// <param name="FinalWeights">Weights of the last published version.</param>
/// <param name="Counters">Cumulative counters.</param>
/// <param name="FinalAccuracy">Accuracy of the last evaluation; null if none completed.</param>
/// <param name="FinalLoss">Loss of the last evaluation; null if none completed.</param>
/// <param name="BestAccuracy">Best evaluated accuracy; null if none completed.</param>
/// <param name="TargetAccuracy">The configured target; null when disabled.</param>
/// <param name="Target">Where the target was first reached; null if never.</param>
/// <param name="WallSeconds">Real duration of the run.</param>
/// <param name="Evaluations">All evaluation records in step order.</param>
/// <param name="Participation">Client id → applied updates.</param>
/// <param name="Error">What went wrong when <paramref name="Status"/> is failed.</param>
public sealed record RunResult(
    RunStatus Status,
    string Algorithm,
    float[] FinalWeights,
    RunCounters Counters,
    double? FinalAccuracy,
    double? FinalLoss,
    double? BestAccuracy,
    double? TargetAccuracy,
    TargetReached? Target,
    double WallSeconds,
    IReadOnlyList<EvaluationRecord> Evaluations,
    IReadOnlyDictionary<int, int> Participation,
    string? Error)
{
    /// <summary>How many times the run was resumed from its persisted state.</summary>
    public int Resumed { get; init; }

    /// <summary>SHA-256 of <see cref="FinalWeights"/> as little-endian float32, lower-case hex (summary.json model_sha256).</summary>
    public string ModelSha256 => ModelHash.Sha256(FinalWeights);
}
