using System.Numerics.Tensors;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// <c>staleness-norm-bound</c>, an asynchrony-aware norm bound: each update's weighted contribution wᵢ·‖Δᵢ‖ (wᵢ carrying
/// FedBuff's staleness weight s(τᵢ)) is bounded by ρ times the median contribution of its buffer, then the buffer is
/// folded as FedBuff folds it, Σ min(1, ρ·M / (wᵢ‖Δᵢ‖))·wᵢΔᵢ / Σ cᵢ.
/// </summary>
/// <remarks>
/// <para>Why the weighted norm: under asynchrony a fresh update weighs more than a stale one (s(0) = 1 against
/// s(10) ≈ 0.3), so an attacker who sends fast (little staleness) and boosted gains twice. A fixed bound on ‖Δᵢ‖
/// (Sun et al. 2019) leaves the first gain and needs a bound tuned to the run; bounding wᵢ‖Δᵢ‖ at the buffer's own median
/// takes both away, and adapts as updates shrink over training. Honest updates above the median are shortened too, which
/// is the price when nobody attacks.</para>
/// <para>Everything comes from the buffer: no state across steps, so a resumed run bounds alike. With FedAvg (τ = 0) it is an
/// adaptive norm bound at the round's median. Over a majority of malicious updates the median is theirs: like every
/// median, it holds while fewer than half of a buffer's contributions are.</para>
/// </remarks>
/// <param name="factor">ρ, positive: 1 bounds at the median.</param>
public sealed class StalenessAwareNormBound(double factor = 1.0) : IUpdateCombiner
{
    private double[] _contributions = [];
    private double[] _sorted = [];

    /// <summary>The name in <c>fedactors.server.aggregator</c>.</summary>
    public const string CombinerName = "staleness-norm-bound";

    /// <inheritdoc />
    public string Name => CombinerName;

    /// <summary>ρ.</summary>
    public double Factor { get; } = factor > 0 && double.IsFinite(factor) ? factor
        : throw new ArgumentOutOfRangeException(nameof(factor), factor, "the bound's factor must be positive and finite");

    /// <summary>Updates shortened since the start (for reports).</summary>
    public long Bounded { get; private set; }

    /// <inheritdoc />
    public void Combine(ReadOnlySpan<BufferedUpdate> updates, Span<float> result)
    {
        int n = Combiners.RequireUpdates(updates, result.Length, 1, Name);
        if (_contributions.Length != n) (_contributions, _sorted) = (new double[n], new double[n]);
        double baseWeights = 0;
        for (int i = 0; i < n; i++)
        {
            _contributions[i] = updates[i].Weight * (double)TensorPrimitives.Norm<float>(updates[i].Delta);
            baseWeights += updates[i].BaseWeight;
        }
        _contributions.CopyTo(_sorted, 0);
        Array.Sort(_sorted);
        double median = (n & 1) == 1 ? _sorted[n / 2] : (_sorted[n / 2 - 1] + _sorted[n / 2]) / 2;
        double bound = Factor * median;
        result.Clear();
        for (int i = 0; i < n; i++)
        {
            double weight = updates[i].Weight;
            if (_contributions[i] > bound)
            {
                weight *= bound / _contributions[i];
                Bounded++;
            }
            TensorPrimitives.MultiplyAdd(updates[i].Delta, (float)(weight / baseWeights), result, result);
        }
    }
}
