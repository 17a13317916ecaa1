namespace FedActors.Actors.Aggregation;

/// <summary>
/// FedBuff's buffer of K client updates (Nguyen et al. 2022, "Federated Learning with Buffered
/// Asynchronous Aggregation", Algorithm 1); FedAvg's round uses it with K = n. A flush yields the
/// pseudo-gradient for the server optimizer:
/// <code>
///   w_i = s(τ_i) · c_i · λ_i,  c_i = 1 (uniform) or n_i (sample-weighted),  λ_i the contribution's scale (1 unless a wrapper set it)
///   Δ̄  = Σ w_i Δ_i / Σ c_i         (StalenessNormalization.None, default)
///   Δ̄  = Σ w_i Δ_i / Σ w_i         (StalenessNormalization.WeightedMean)
/// </code>
/// The default follows the paper: with uniform weights Δ̄ = (1/K) Σ s(τ_i) Δ_i, so stale updates make
/// the step shorter rather than only shifting its direction; sample weighting replaces 1/K by FedAvg's
/// n_i / Σ n_j. FLSim, FedBuff's reference code, divides each s(τ) by s(mean staleness) but then takes a
/// weighted mean over Σ w_i, where that constant cancels; <see cref="StalenessNormalization.WeightedMean"/>
/// reproduces it. Not thread-safe: its strategy owns it.
/// </summary>
/// <remarks>
/// The updates are summed in place into one preallocated vector as they arrive, never copied: one pass per
/// update, the cost of a memory copy. The buffer keeps a reference to each accepted update until the next flush,
/// for two reasons. A strategy that combines updates otherwise than by a mean (a robust aggregator) reads them from
/// <see cref="Updates"/> and then <see cref="Clear"/>s the buffer; the running sum has still checked that each is
/// finite. And a non-finite update, found only while it is being folded, is undone exactly: the sum is rebuilt
/// from the updates accepted before it, in the same order and with the same weights, which gives the same bits.
/// Callers must not modify an update they passed in until the buffer is flushed or cleared.
/// </remarks>
public sealed class UpdateBuffer
{
    // One pass per update reads Δ and reads and writes the sum in place, as a copy reads its source and writes
    // its destination; a rejection (rare) pays for a rebuild instead of every update paying for a second buffer.
    private readonly float[] _accumulator;
    // Grows (doubling) only for a buffer without a practical K, a Poisson round's: FedBuff's K is allocated at once.
    private BufferedUpdate[] _updates;
    private readonly List<int> _excluded;
    private int _count;
    private double _weightSum;
    private double _baseWeightSum;

    /// <summary>Creates an empty buffer for vectors of <paramref name="dimension"/> values.</summary>
    public UpdateBuffer(int dimension, UpdateBufferOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _accumulator = new float[dimension];
        _updates = new BufferedUpdate[Math.Min(options.Capacity, 1024)];
        _excluded = new List<int>(Math.Min(options.Capacity, 1024));
    }

    /// <summary>The buffer's policy.</summary>
    public UpdateBufferOptions Options { get; }

    /// <summary>Length of every update vector.</summary>
    public int Dimension => _accumulator.Length;

    /// <summary>K.</summary>
    public int Capacity => Options.Capacity;

    /// <summary>Updates buffered since the last flush.</summary>
    public int Count => _count;

    /// <summary>True when K updates are buffered.</summary>
    public bool IsFull => _count == Options.Capacity;

    /// <summary>The updates buffered since the last flush, in arrival order (valid until the next add, flush or clear).</summary>
    public ReadOnlySpan<BufferedUpdate> Updates => _updates.AsSpan(0, _count);

    /// <summary>
    /// The clients whose updates the last combination left out (a selecting combiner: the Krum family, Bulyan,
    /// divide-and-conquer, SignGuard), in buffer order; empty after a flush or a combination that used every update.
    /// </summary>
    public IReadOnlyList<int> Excluded => _excluded;

    /// <summary>Σ c_i of the buffered updates: their count when uniform, their samples when sample-weighted.</summary>
    public double BaseWeightSum => _baseWeightSum;

    /// <summary>Σ w_i of the buffered updates.</summary>
    public double WeightSum => _weightSum;

    /// <summary>
    /// Adds w_i·Δ_i to the buffer, or says why not. Allocation-free. A rejected update leaves the
    /// buffer unchanged, bit for bit; counting rejections is the caller's job.
    /// </summary>
    /// <param name="delta">Δ_i = local − base, the client's update; referenced, not copied, until the next flush or clear.</param>
    /// <param name="samples">n_i, samples the client trained on; ≥ 0.</param>
    /// <param name="staleness">τ_i, server steps since the update's base version; ≥ 0.</param>
    /// <param name="scale">λ_i, a factor on Δ_i (see <see cref="ClientContribution.Scale"/>); finite and ≥ 0.</param>
    /// <param name="clientId">The client that sent it, for <see cref="Excluded"/>.</param>
    /// <exception cref="ArgumentException">Δ has the wrong length, or n_i, τ_i or λ_i is out of range.</exception>
    public BufferAdmission TryAdd(float[] delta, int samples, int staleness, float scale = 1f, int clientId = 0)
    {
        ArgumentNullException.ThrowIfNull(delta);
        Vectors.RequireSameLength(Dimension, delta.Length, nameof(delta));
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        ArgumentOutOfRangeException.ThrowIfNegative(staleness);
        if (!(scale >= 0 && float.IsFinite(scale)))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "an update's scale must be finite and ≥ 0");

        if (IsFull) return BufferAdmission.BufferFull;
        if (Options.Weighting == UpdateWeighting.SampleWeighted && samples == 0) return BufferAdmission.NoSamples;

        double baseWeight = Options.Weighting == UpdateWeighting.SampleWeighted ? samples : 1.0;
        double weight = Options.Staleness.Weight(staleness) * baseWeight;
        if (scale != 1f) weight *= scale;
        var folded = new BufferedUpdate(delta, (float)weight, baseWeight, samples, staleness, clientId);
        if (!WeightedAverage.TryAccumulateFinite(_accumulator, delta, folded.Weight, _accumulator))
        {
            Rebuild();
            return BufferAdmission.NonFinite;
        }
        if (_count == _updates.Length) Array.Resize(ref _updates, (int)Math.Min(Options.Capacity, 2L * _updates.Length));
        _updates[_count++] = folded;
        _weightSum += weight;
        _baseWeightSum += baseWeight;
        return BufferAdmission.Accepted;
    }

    /// <summary>
    /// Writes Δ̄ of the buffered updates into <paramref name="pseudoGradient"/>, empties the buffer and returns true;
    /// returns false (no step) when the buffer is empty, unless <see cref="UpdateBufferOptions.FixedDivisor"/> is set (then
    /// Δ̄ is zero). Whether to flush before K updates (a synchronous round's deadline) is the caller's decision.
    /// Allocation-free.
    /// </summary>
    /// <param name="pseudoGradient">Receives Δ̄; <see cref="Dimension"/> values.</param>
    public bool TryFlush(Span<float> pseudoGradient)
    {
        Vectors.RequireSameLength(Dimension, pseudoGradient.Length, nameof(pseudoGradient));
        if (_count == 0 && Options.FixedDivisor is null) return false;

        _excluded.Clear();
        double normalizer = Options.FixedDivisor ?? (Options.Normalization == StalenessNormalization.WeightedMean ? _weightSum : _baseWeightSum);
        // normalizer > 0: every accepted update adds c_i > 0, and s(τ) > 0 for every staleness function.
        WeightedAverage.ScaleAndClear(_accumulator, (float)(1.0 / normalizer), pseudoGradient);
        ResetCounters();
        return true;
    }

    /// <summary>
    /// Like <see cref="TryFlush"/>, with the buffered updates combined by <paramref name="combiner"/> (a robust statistic
    /// over the updates themselves) instead of the weighted mean; null is the mean. Either way the buffer starts over.
    /// </summary>
    public bool TryCombine(IUpdateCombiner? combiner, Span<float> result)
    {
        if (combiner is null) return TryFlush(result);
        if (_count == 0) return false;
        // The running sum has already checked, as each update came in, that it is finite.
        combiner.Combine(Updates, result);
        _excluded.Clear();
        var kept = combiner.Kept;
        for (int i = 0; i < kept.Length; i++)
            if (!kept[i]) _excluded.Add(_updates[i].ClientId);
        Clear();
        return true;
    }

    /// <summary>Empties the buffer, discarding what it held (a strategy that combined <see cref="Updates"/> itself).</summary>
    public void Clear()
    {
        Array.Clear(_accumulator);
        ResetCounters();
    }

    // The sum as it was before the rejected update: the same folds, in the same order, from zero.
    private void Rebuild()
    {
        Array.Clear(_accumulator);
        for (int i = 0; i < _count; i++)
            WeightedAverage.TryAccumulateFinite(_accumulator, _updates[i].Delta, _updates[i].Weight, _accumulator);
    }

    private void ResetCounters()
    {
        Array.Clear(_updates, 0, _count);
        _count = 0;
        _weightSum = 0;
        _baseWeightSum = 0;
    }
}

/// <summary>One update held by an <see cref="UpdateBuffer"/>.</summary>
/// <param name="Delta">Δ_i, referenced (read-only) until the buffer is flushed or cleared.</param>
/// <param name="Weight">w_i = s(τ_i)·c_i·λ_i as folded (float32).</param>
/// <param name="BaseWeight">c_i: 1 (uniform) or n_i (sample-weighted).</param>
/// <param name="Samples">n_i.</param>
/// <param name="Staleness">τ_i.</param>
/// <param name="ClientId">The client that sent it.</param>
public readonly record struct BufferedUpdate(float[] Delta, float Weight, double BaseWeight, int Samples, int Staleness, int ClientId = 0);
