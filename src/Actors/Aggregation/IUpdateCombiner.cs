namespace FedActors.Actors.Aggregation;

/// <summary>
/// How a step combines the updates it took (<c>fedactors.server.aggregator</c>): the weighted mean of FedBuff and FedAvg,
/// or a robust statistic that a few malicious updates cannot drag far (coordinate-wise median, trimmed mean, Krum). A
/// robust combiner treats the updates alike: a weight (samples, staleness) is what an attacker would inflate.
/// </summary>
/// <remarks>Built per strategy for one model size; not thread-safe.</remarks>
public interface IUpdateCombiner
{
    /// <summary>The config name (<c>median</c>, <c>trimmed-mean</c>, <c>krum</c>, …).</summary>
    string Name { get; }

    /// <summary>Writes the combination of <paramref name="updates"/> into <paramref name="result"/>.</summary>
    /// <param name="updates">The updates taken since the last step, at least one, each as long as <paramref name="result"/>.</param>
    /// <param name="result">Receives the pseudo-gradient.</param>
    /// <exception cref="ArgumentException">Too few updates for the statistic (Krum needs n ≥ 2f + 3).</exception>
    void Combine(ReadOnlySpan<BufferedUpdate> updates, Span<float> result);

    /// <summary>
    /// Which updates of the last combination went into it (true) and which it left out, for a combiner that selects
    /// whole updates (Krum, Multi-Krum, Bulyan, divide-and-conquer); empty for one that uses every update, if only
    /// coordinate by coordinate (median, trimmed mean).
    /// </summary>
    ReadOnlySpan<bool> Kept => ReadOnlySpan<bool>.Empty;
}
