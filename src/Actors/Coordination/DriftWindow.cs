using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Coordination;

/// <summary>
/// Client-drift diagnostics of the updates applied since the last evaluation request: staleness histogram, mean and
/// variance of the update norms (Welford), and the mean cosine of each update to the pseudo-gradient it went into.
/// </summary>
internal sealed class DriftWindow
{
    private readonly SortedDictionary<int, long> _staleness = new();
    private int _updates, _maxStaleness, _cosineCount;
    private double _stalenessSum, _normMean, _normM2, _cosineSum;

    /// <summary>An update with staleness <paramref name="staleness"/> and norm <paramref name="norm"/> was applied.</summary>
    public void Applied(int staleness, double norm)
    {
        _updates++;
        _stalenessSum += staleness;
        _maxStaleness = Math.Max(_maxStaleness, staleness);
        _staleness[staleness] = _staleness.GetValueOrDefault(staleness) + 1;
        // Welford's running mean and variance of the update norms.
        double d = norm - _normMean;
        _normMean += d / _updates;
        _normM2 += d * (norm - _normMean);
    }

    /// <summary>An applied update went into <paramref name="pseudoGradient"/>.</summary>
    public void Aggregated(ReadOnlySpan<float> update, ReadOnlySpan<float> pseudoGradient)
    {
        _cosineSum += Vectors.CosineSimilarity(update, pseudoGradient);
        _cosineCount++;
    }

    /// <summary>The window's diagnostics, with the run's totals given; the window starts over.</summary>
    public (DriftDiagnostics Diagnostics, double MeanStaleness, int MaxStaleness) Take(
        ParticipationCounts participation, long rejected, long droppedStale, long jobsDropped)
    {
        var diagnostics = new DriftDiagnostics(
            _updates, _normMean, _updates > 1 ? _normM2 / _updates : 0,
            _cosineCount > 0 ? _cosineSum / _cosineCount : null,
            new SortedDictionary<int, long>(_staleness), participation.Clients, participation.Max,
            rejected, droppedStale, jobsDropped);
        var result = (diagnostics, _updates > 0 ? _stalenessSum / _updates : 0, _maxStaleness);
        _staleness.Clear();
        _updates = _maxStaleness = _cosineCount = 0;
        _stalenessSum = _normMean = _normM2 = _cosineSum = 0;
        return result;
    }

    public CheckpointWindow ToCheckpoint() =>
        new(new Dictionary<int, long>(_staleness), _updates, _maxStaleness, _stalenessSum, _normMean, _normM2, _cosineSum, _cosineCount);

    public void Restore(CheckpointWindow w)
    {
        foreach (var (staleness, count) in w.StalenessHistogram) _staleness[staleness] = count;
        (_updates, _maxStaleness, _stalenessSum, _normMean, _normM2, _cosineSum, _cosineCount) =
            (w.Updates, w.MaxStaleness, w.StalenessSum, w.NormMean, w.NormM2, w.CosineSum, w.CosineCount);
    }
}
