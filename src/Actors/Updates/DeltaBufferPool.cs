namespace FedActors.Actors.Updates;

/// <summary>
/// Recycles the arrays client updates (Δ) travel in between the trainers of one process and its coordinator.
/// A trainer rents one per training; the coordinator returns it once it holds no reference any more (the update
/// is folded and its step taken, or it was rejected). Without it every training allocates a model-sized array
/// on the large-object heap (simple-cnn: 177 KB), which only a full collection frees.
/// </summary>
/// <remarks>
/// <para>Best effort and bounded: an empty pool allocates, a full one lets the array go to the collector, and an
/// array that is never returned is simply collected. Whoever returns an array must hold the last reference to
/// it: a returned array is overwritten by the next training. Thread-safe.</para>
/// <para>Rented arrays are not cleared: a training writes every element of its Δ.</para>
/// </remarks>
public sealed class DeltaBufferPool
{
    /// <summary>Bytes the pool keeps at most, whatever the model size.</summary>
    public const long MaxRetainedBytes = 64L << 20;

    private readonly Stack<float[]> _free = new();
    private readonly HashSet<float[]> _held = new(ReferenceEqualityComparer.Instance);
    private readonly int _capacity;

    /// <summary>Creates a pool of arrays of <paramref name="length"/> floats.</summary>
    /// <param name="length">The model's parameter count.</param>
    /// <param name="capacity">Arrays kept at most; default: as many as fit in <see cref="MaxRetainedBytes"/>, at least 2.</param>
    public DeltaBufferPool(int length, int? capacity = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (capacity is < 0) throw new ArgumentOutOfRangeException(nameof(capacity), $"capacity must be ≥ 0, got {capacity}");
        Length = length;
        _capacity = capacity ?? (int)Math.Max(2, MaxRetainedBytes / (length * (long)sizeof(float)));
    }

    /// <summary>Length of the arrays the pool hands out.</summary>
    public int Length { get; }

    /// <summary>Arrays waiting to be rented.</summary>
    public int Available
    {
        get
        {
            lock (_free) return _free.Count;
        }
    }

    /// <summary>An array of <see cref="Length"/> floats with arbitrary contents, recycled when one is free.</summary>
    public float[] Rent()
    {
        lock (_free)
        {
            if (_free.TryPop(out var array))
            {
                _held.Remove(array);
                return array;
            }
        }
        return new float[Length];
    }

    /// <summary>
    /// Gives <paramref name="array"/> back for reuse. Arrays of another length (a malformed update) and arrays beyond
    /// the capacity are left to the collector.
    /// </summary>
    /// <returns>True when the pool kept the array.</returns>
    /// <exception cref="InvalidOperationException">The array is already in the pool: two trainings would share it.</exception>
    public bool Return(float[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length != Length) return false;
        lock (_free)
        {
            if (_held.Contains(array)) throw new InvalidOperationException("an update array was returned to the pool twice");
            if (_free.Count >= _capacity) return false;
            _free.Push(array);
            _held.Add(array);
            return true;
        }
    }
}
