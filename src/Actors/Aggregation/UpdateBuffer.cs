namespace FedActors.Actors.Aggregation;

/// <summary>
/// FedBuff's buffer of K client updates (Nguyen et al. 2022, "Federated Learning with Buffered
/// Asynchronous Aggregation", Algorithm 1). Updates are summed in place into one preallocated vector, never
/// kept as K copies, and a flush yields the pseudo-gradient for the server optimizer:
/// <code>
///   w_i = s(τ_i) · c_i,  c_i = 1 (uniform) or n_i (sample-weighted)
///   Δ̄  = Σ w_i Δ_i / Σ c_i         (StalenessNormalization.None, default)
///   Δ̄  = Σ w_i Δ_i / Σ w_i         (StalenessNormalization.WeightedMean)
/// </code>
/// The default follows the paper: with uniform weights Δ̄ = (1/K) Σ s(τ_i) Δ_i, so stale updates make
/// the step shorter rather than only shifting its direction; sample weighting replaces 1/K by FedAvg's
/// n_i / Σ n_j. FLSim, FedBuff's reference code, divides each s(τ) by s(mean staleness) but then takes a
/// weighted mean over Σ w_i, where that constant cancels; <see cref="StalenessNormalization.WeightedMean"/>
/// reproduces it. Not thread-safe: the coordinator owns it.
/// <para>
/// The buffer keeps a reference to each accepted update until the next flush (no copy), so that a
/// non-finite update, found only while it is being folded, can be undone exactly: the sum is rebuilt from
/// the updates accepted before it, in the same order and with the same weights, which gives the same bits.
/// Callers must not modify an update they passed in until the buffer is flushed or cleared.
/// </para>
/// </summary>
public sealed class UpdateBuffer
{
    // One pass per update reads Δ and reads and writes the sum in place, as a copy reads its source and writes
    // its destination; a rejection (rare) pays for a rebuild instead of every update paying for a second buffer.
    private readonly float[] _accumulator;
    private readonly float[]?[] _folded;
    private readonly float[] _foldWeights;
    // The sum an imported state started from, and how many of the buffered updates it already holds.
    private float[]? _importedSum;
    private int _importedCount;
    private readonly int[] _stalenesses;
    private int _count;
    private double _weightSum;
    private double _baseWeightSum;
    private long _samples;

    /// <summary>Creates an empty buffer for vectors of <paramref name="dimension"/> values.</summary>
    public UpdateBuffer(int dimension, UpdateBufferOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _accumulator = new float[dimension];
        _folded = new float[options.Capacity][];
        _foldWeights = new float[options.Capacity];
        _stalenesses = new int[options.Capacity];
    }

    /// <summary>The buffer's policy.</summary>
    public UpdateBufferOptions Options { get; }

    /// <summary>Length of every update vector.</summary>
    public int Dimension => _accumulator.Length;

    /// <summary>K.</summary>
    public int Capacity => Options.Capacity;

    /// <summary>Updates buffered since the last flush.</summary>
    public int Count => _count;

    /// <summary>True when K updates are buffered and a flush is due.</summary>
    public bool IsFull => _count == Options.Capacity;

    /// <summary>Diagnostics of the buffered updates. Allocates one small record.</summary>
    public UpdateBufferStats Stats
    {
        get
        {
            long sum = 0;
            int max = 0;
            for (int i = 0; i < _count; i++)
            {
                sum += _stalenesses[i];
                max = Math.Max(max, _stalenesses[i]);
            }
            double mean = _count == 0 ? 0 : (double)sum / _count;
            return new UpdateBufferStats(_count, _weightSum, _baseWeightSum, _samples, mean, max);
        }
    }

    /// <summary>Staleness τ_i of each buffered update, in arrival order.</summary>
    public ReadOnlySpan<int> Stalenesses => _stalenesses.AsSpan(0, _count);

    /// <summary>
    /// Adds w_i·Δ_i to the buffer, or says why not. Allocation-free. A rejected update leaves the
    /// buffer unchanged, bit for bit; counting rejections is the caller's job.
    /// </summary>
    /// <param name="delta">Δ_i = local − base, the client's update; referenced, not copied, until the next flush or clear.</param>
    /// <param name="samples">n_i, samples the client trained on; ≥ 0.</param>
    /// <param name="staleness">τ_i, server steps since the update's base version; ≥ 0.</param>
    /// <exception cref="ArgumentException">Δ has the wrong length, or n_i or τ_i is negative.</exception>
    public BufferAdmission TryAdd(float[] delta, int samples, int staleness)
    {
        ArgumentNullException.ThrowIfNull(delta);
        Vectors.RequireSameLength(Dimension, delta.Length, nameof(delta));
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        ArgumentOutOfRangeException.ThrowIfNegative(staleness);

        if (Options.MaxStaleness is int max && staleness > max) return BufferAdmission.TooStale;
        if (IsFull) return BufferAdmission.BufferFull;
        if (Options.Weighting == UpdateWeighting.SampleWeighted && samples == 0) return BufferAdmission.NoSamples;

        double baseWeight = Options.Weighting == UpdateWeighting.SampleWeighted ? samples : 1.0;
        double weight = Options.Staleness.Weight(staleness) * baseWeight;
        if (!WeightedAverage.TryAccumulateFinite(_accumulator, delta, (float)weight, _accumulator))
        {
            Rebuild();
            return BufferAdmission.NonFinite;
        }
        _folded[_count] = delta;
        _foldWeights[_count] = (float)weight;
        _weightSum += weight;
        _baseWeightSum += baseWeight;
        _samples += samples;
        _stalenesses[_count++] = staleness;
        return BufferAdmission.Accepted;
    }

    /// <summary>
    /// When the buffer is full, writes Δ̄ into <paramref name="pseudoGradient"/>, empties the buffer
    /// and returns true; otherwise leaves both untouched and returns false (no step). Allocation-free.
    /// </summary>
    /// <param name="pseudoGradient">Receives Δ̄; <see cref="Dimension"/> values.</param>
    public bool TryFlush(Span<float> pseudoGradient)
    {
        Vectors.RequireSameLength(Dimension, pseudoGradient.Length, nameof(pseudoGradient));
        if (!IsFull) return false;

        double normalizer = Options.Normalization == StalenessNormalization.WeightedMean ? _weightSum : _baseWeightSum;
        // normalizer > 0: every accepted update adds c_i > 0, and s(τ) > 0 for every staleness function.
        WeightedAverage.ScaleAndClear(_accumulator, (float)(1.0 / normalizer), pseudoGradient);
        ResetCounters();
        return true;
    }

    /// <summary>Empties the buffer, discarding what it held.</summary>
    public void Clear()
    {
        Array.Clear(_accumulator);
        ResetCounters();
    }

    // The sum as it was before the rejected update: the same folds, in the same order, from the same start.
    private void Rebuild()
    {
        if (_importedSum is null) Array.Clear(_accumulator);
        else _importedSum.CopyTo(_accumulator, 0);
        for (int i = _importedCount; i < _count; i++)
            WeightedAverage.TryAccumulateFinite(_accumulator, _folded[i]!, _foldWeights[i], _accumulator);
    }

    private void ResetCounters()
    {
        Array.Clear(_folded, 0, _count);
        _importedSum = null;
        _importedCount = 0;
        _count = 0;
        _weightSum = 0;
        _baseWeightSum = 0;
        _samples = 0;
    }

    /// <summary>A copy of the buffer's contents, for persistence.</summary>
    public UpdateBufferState ExportState() =>
        new((float[])_accumulator.Clone(), _weightSum, _baseWeightSum, _samples, _stalenesses.AsSpan(0, _count).ToArray());

    /// <summary>Replaces the buffer's contents with <paramref name="state"/> (copied).</summary>
    /// <exception cref="ArgumentException">The state does not fit this buffer's dimension or K.</exception>
    public void ImportState(UpdateBufferState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Vectors.RequireSameLength(Dimension, state.Accumulator.Length, nameof(state));
        if (state.Count > Capacity)
            throw new ArgumentException($"state holds {state.Count} updates, the buffer's capacity K is {Capacity}", nameof(state));
        state.Accumulator.CopyTo(_accumulator, 0);
        state.Stalenesses.CopyTo(_stalenesses, 0);
        Array.Clear(_folded);
        _count = state.Count;
        _importedCount = state.Count;
        _importedSum = state.Count == 0 ? null : (float[])state.Accumulator.Clone();
        _weightSum = state.WeightSum;
        _baseWeightSum = state.BaseWeightSum;
        _samples = state.Samples;
    }
}
